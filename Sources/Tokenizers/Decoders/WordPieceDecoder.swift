import DSPrepSupport

/// Joins WordPiece tokens: a token after the first loses the continuation prefix if it has it,
/// else gets a space before it; `cleanup` removes the spaces BERT's tokenization put before
/// punctuation and English contractions (HF `decoders.WordPiece`).
public struct WordPieceDecoder: Decoder {
    public var prefix: String
    public var cleanup: Bool

    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var piece = token
            if index > 0 {
                // Byte-wise, as Rust's `strip_prefix` (an empty prefix strips nothing and adds no space).
                if let rest = piece.droppingPrefix(prefix) { piece = rest } else { piece = " " + piece }
            }
            return cleanup ? WordPieceDecoder.cleanUp(piece) : piece
        }
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
