import DSPrepSupport

/// Turns tokens back into text (HF `Decoder`). Like HF's, each decoder maps tokens to tokens
/// (`decodeChain`), so decoders compose in a `DecoderSequence`; the text is the final tokens
/// joined without separator.
public protocol Decoder: Sendable {
    /// HF's `decode_chain`.
    func decodeChain(_ tokens: [String]) -> [String]
    var json: JSONValue { get }
}

extension Decoder {
    /// HF's `decode`: the chain's tokens, joined.
    public func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }
}

enum DecoderFactory {
    static let supported = "WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence"

    static func make(_ json: JSONValue, context: JSONContext) throws -> Decoder {
        let type = try context.type(of: json, component: "decoder")
        switch type {
        case "WordPiece":
            return WordPieceDecoder(prefix: try context.optionalString(json, "prefix") ?? "##",
                                    cleanup: try context.bool(json, "cleanup", default: true))
        case "Metaspace":
            return try MetaspaceDecoder(json, context: context)
        case "ByteFallback":
            return ByteFallbackDecoder()
        case "Fuse":
            return FuseDecoder()
        case "Strip":
            return StripDecoder(content: try character(json, "content", context: context),
                                start: try context.int(json, "start"), stop: try context.int(json, "stop"))
        case "Replace":
            return ReplaceDecoder(try TextPattern.make(try context.value(json, "pattern"), context: context, component: "Replace decoder"),
                                  content: try context.string(json, "content"))
        case "Sequence":
            return DecoderSequence(try context.array(json, "decoders").map { try make($0, context: context) })
        default:
            throw context.unsupported("decoder", type, supported: supported)
        }
    }

    /// A field HF reads as a Rust `char`: exactly one Unicode scalar.
    static func character(_ json: JSONValue, _ key: String, context: JSONContext) throws -> Unicode.Scalar {
        let text = try context.string(json, key)
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
            throw context.failure("field \"\(key)\" of \(context.describe(json)) must be one character, not \(text.debugDescription)")
        }
        return scalar
    }
}
