import DSPrepSupport

/// BERT's basic tokenization: split on whitespace (dropped), then isolate each punctuation mark.
public struct BertPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ string: inout PreTokenizedString) {
        string.split(behavior: .removed) { CharacterClasses.flags($0).contains(.whitespace) }
        string.split(behavior: .isolated) { CharacterClasses.flags($0).contains(.punctuation) }
    }
    public var json: JSONValue { .object([("type", .string("BertPreTokenizer"))]) }
}
