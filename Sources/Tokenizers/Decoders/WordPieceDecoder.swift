import DSPrepSupport

/// Joins WordPiece tokens: a token with the continuation prefix is glued to the previous one,
/// others are separated by a space; `cleanup` removes the spaces BERT's tokenization put before
/// punctuation and English contractions.
public struct WordPieceDecoder: Decoder {
    public var prefix: String
    public var cleanup: Bool

    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    public func decode(_ tokens: [String]) -> String {
        var text = ""
        for (index, token) in tokens.enumerated() {
            var piece = token
            if index > 0 {
                if !prefix.isEmpty, piece.hasPrefix(prefix) {
                    piece = String(piece.dropFirst(prefix.count))
                } else {
                    piece = " " + piece
                }
            }
            text += cleanup ? WordPieceDecoder.cleanUp(piece) : piece
        }
        return text
    }

    /// HF's `cleanup` replacements, applied to each piece.
    static func cleanUp(_ text: String) -> String {
        var result = text
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                           (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            result = result.replacingAll(from, with: to)
        }
        return result
    }

    public var json: JSONValue {
        .object([("type", .string("WordPiece")), ("prefix", .string(prefix)), ("cleanup", .bool(cleanup))])
    }
}

/// Turns "▁" back into spaces and drops the first leading space.
public struct MetaspaceDecoder: Decoder {
    public var replacement: String
    public var stripLeadingSpace: Bool

    public init(replacement: String = "▁", stripLeadingSpace: Bool = true) {
        self.replacement = replacement
        self.stripLeadingSpace = stripLeadingSpace
    }

    public func decode(_ tokens: [String]) -> String {
        var text = ""
        for (index, token) in tokens.enumerated() {
            var piece = token.replacingAll(replacement, with: " ")
            if index == 0, stripLeadingSpace, piece.hasPrefix(" ") { piece.removeFirst() }
            text += piece
        }
        return text
    }

    public var json: JSONValue {
        .object([("type", .string("Metaspace")), ("replacement", .string(replacement)),
                 ("prepend_scheme", .string(stripLeadingSpace ? "always" : "never")), ("split", .bool(true))])
    }
}

extension String {
    /// Literal (scalar-exact) replacement, without Foundation's locale-aware matching.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let source = Array(unicodeScalars), pattern = Array(target.unicodeScalars)
        guard !pattern.isEmpty, source.count >= pattern.count else { return self }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count, source[index..<index + pattern.count].elementsEqual(pattern) {
                output.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(output)
    }
}
