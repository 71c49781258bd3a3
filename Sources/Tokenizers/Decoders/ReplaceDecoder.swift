import DSPrepSupport

/// Replaces every match of a literal string or a regex in each token by `content` (HF
/// `decoders.Replace`), with the matches HF finds (`TextPattern`).
public struct ReplaceDecoder: Decoder {
    public let pattern: TextPattern
    public let content: String

    public init(_ pattern: TextPattern, content: String) {
        self.pattern = pattern
        self.content = content
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = token.unicodeScalars.map(\.value)
            // ICU fails only when it cannot allocate a matcher; the token then stays as it is.
            return token.replacing((try? pattern.matches(in: scalars)) ?? [], of: scalars, with: content)
        }
    }

    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", pattern.json), ("content", .string(content))])
    }
}
