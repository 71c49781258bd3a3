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
            let scalars = Array(token.unicodeScalars)
            // ICU fails only when it cannot allocate a matcher; the token then stays as it is.
            let matches = (try? pattern.matches(in: scalars.map(\.value))) ?? []
            guard !matches.isEmpty else { return token }
            var output = String.UnicodeScalarView()
            var position = 0
            for match in matches {
                output.append(contentsOf: scalars[position..<match.lowerBound])
                output.append(contentsOf: content.unicodeScalars)
                position = match.upperBound
            }
            output.append(contentsOf: scalars[position...])
            return String(output)
        }
    }

    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", pattern.json), ("content", .string(content))])
    }
}
