import DSPrepSupport

/// Several pre-tokenizers applied in order.
public struct PreTokenizerSequence: PreTokenizer {
    public var preTokenizers: [PreTokenizer]
    public init(_ preTokenizers: [PreTokenizer]) { self.preTokenizers = preTokenizers }
    public func preTokenize(_ string: inout PreTokenizedString) throws {
        for preTokenizer in preTokenizers { try preTokenizer.preTokenize(&string) }
    }
    public var json: JSONValue {
        .object([("type", .string("Sequence")), ("pretokenizers", .array(preTokenizers.map(\.json)))])
    }
}
