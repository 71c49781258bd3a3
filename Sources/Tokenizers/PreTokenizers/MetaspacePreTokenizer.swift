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

    public func preTokenize(_ string: inout PreTokenizedString) {
        let replacement = replacement, prependScheme = prependScheme
        // A one-scalar literal replacement keeps every alignment (HF's replace aligns the new
        // scalar to the one it replaces).
        string.replaceScalar(0x20, with: replacement)
        if prependScheme != .never {
            let normalized = string.normalized
            string.prependToPieces([replacement]) { first in
                normalized.scalars[first] != replacement && (prependScheme == .always || normalized.starts[first] == 0)
            }
        }
        if split { string.split(behavior: .mergedWithNext) { $0 == replacement } }
    }

    public var json: JSONValue {
        var replacementText = ""
        if let scalar = Unicode.Scalar(replacement) { replacementText.unicodeScalars.append(scalar) }
        return .object([("type", .string("Metaspace")), ("replacement", .string(replacementText)),
                         ("prepend_scheme", .string(prependScheme.rawValue)), ("split", .bool(split))])
    }
}
