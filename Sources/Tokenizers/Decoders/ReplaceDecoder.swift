import DSPrepSupport

/// Replaces every occurrence of a literal string in each token (HF `decoders.Replace` with a
/// `{"String": ...}` pattern): leftmost first, non-overlapping, compared scalar by scalar.
public struct ReplaceDecoder: Decoder {
    public var pattern: String
    public var content: String

    public init(pattern: String, content: String) {
        self.pattern = pattern
        self.content = content
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { $0.replacingAll(pattern, with: content) }
    }

    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", .object([("String", .string(pattern))])),
                 ("content", .string(content))])
    }
}
