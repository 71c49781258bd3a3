import DSPrepSupport

/// BERT's basic tokenization: split on whitespace (dropped), then isolate each punctuation mark.
public struct BertPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ pieces: inout [NormalizedString]) {
        pieces.refine { $0.split(behavior: .removed) { CharacterClasses.flags($0).contains(.whitespace) } }
        pieces.refine { $0.split(behavior: .isolated) { CharacterClasses.flags($0).contains(.punctuation) } }
    }
    public var json: JSONValue { .object([("type", .string("BertPreTokenizer"))]) }
}
