import DSPrepSupport
import Foundation

/// A normalization stage: edits the text in place, keeping alignments to the original.
public protocol Normalizer: Sendable {
    func normalize(_ string: inout NormalizedString) throws
    /// The HF tokenizer.json form (`{"type": ..., ...}`).
    var json: JSONValue { get }
}

/// Builds a normalizer from its tokenizer.json object.
enum NormalizerFactory {
    static func make(_ json: JSONValue, context: JSONContext) throws -> Normalizer {
        let type = try context.type(of: json, component: "normalizer")
        switch type {
        case "BertNormalizer":
            return BertNormalizer(
                cleanText: try context.bool(json, "clean_text", default: true),
                handleChineseChars: try context.bool(json, "handle_chinese_chars", default: true),
                stripAccents: try context.optionalBool(json, "strip_accents"),
                lowercase: try context.bool(json, "lowercase", default: true))
        case "NFC": return UnicodeNormalizer(.nfc)
        case "NFD": return UnicodeNormalizer(.nfd)
        case "NFKC": return UnicodeNormalizer(.nfkc)
        case "NFKD": return UnicodeNormalizer(.nfkd)
        case "Lowercase": return Lowercase()
        case "StripAccents": return StripAccents()
        case "Strip":
            return Strip(left: try context.bool(json, "strip_left", default: true),
                         right: try context.bool(json, "strip_right", default: true))
        case "Prepend": return Prepend(prefix: try context.string(json, "prepend"))
        case "Replace":
            return Replace(try TextPattern.make(try context.value(json, "pattern"), context: context, component: "Replace"),
                           content: try context.string(json, "content"))
        case "Precompiled":
            guard let encoded = json["precompiled_charsmap"]?.stringValue, let blob = Data(base64Encoded: encoded) else {
                throw context.failure("\"Precompiled\" needs \"precompiled_charsmap\", a base64 string")
            }
            return PrecompiledNormalizer(charsMap: try PrecompiledCharsMap(blob: [UInt8](blob), path: context.path))
        case "Sequence":
            let items = try context.array(json, "normalizers")
            return NormalizerSequence(try items.map { try make($0, context: context) })
        default:
            throw context.unsupported("normalizer", type, supported:
                "BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Prepend, Replace, Precompiled, Sequence")
        }
    }
}
