import DSPrepSupport

/// sentencepiece-style spaces: replace " " by "▁", prepend "▁" (always, only to the first
/// piece, or never), then split before each "▁".
public struct MetaspacePreTokenizer: PreTokenizer {
    public enum PrependScheme: String, Sendable { case always, first, never }

    public var replacement: UInt32
    public var prependScheme: PrependScheme
    public var split: Bool

    public init(replacement: UInt32 = 0x2581, prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    public func preTokenize(_ pieces: inout [NormalizedString]) {
        pieces.refine { piece in
            var piece = piece
            piece.replace([0x20], with: [replacement])
            let startsWithReplacement = piece.scalars.first == replacement
            switch prependScheme {
            case .always where !startsWithReplacement: piece.prepend([replacement])
            case .first where !startsWithReplacement && piece.starts.first == 0: piece.prepend([replacement])
            default: break
            }
            return split ? piece.split(behavior: .mergedWithNext) { $0 == replacement } : [piece]
        }
    }

    public var json: JSONValue {
        var replacementText = ""
        if let scalar = Unicode.Scalar(replacement) { replacementText.unicodeScalars.append(scalar) }
        return .object([("type", .string("Metaspace")), ("replacement", .string(replacementText)),
                         ("prepend_scheme", .string(prependScheme.rawValue)), ("split", .bool(split))])
    }
}
