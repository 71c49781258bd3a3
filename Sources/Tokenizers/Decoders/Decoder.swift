import DSPrepSupport

/// Turns tokens back into text (HF `Decoder`).
public protocol Decoder: Sendable {
    func decode(_ tokens: [String]) -> String
    var json: JSONValue { get }
}

enum DecoderFactory {
    static func make(_ json: JSONValue, context: JSONContext) throws -> Decoder {
        let type = try context.type(of: json, component: "decoder")
        switch type {
        case "WordPiece":
            return WordPieceDecoder(prefix: try context.optionalString(json, "prefix") ?? "##",
                                    cleanup: try context.bool(json, "cleanup", default: true))
        case "Metaspace":
            let replacement = try context.optionalString(json, "replacement") ?? "▁"
            let scheme = try context.optionalString(json, "prepend_scheme") ?? "always"
            return MetaspaceDecoder(replacement: replacement, stripLeadingSpace: scheme != "never")
        default:
            throw context.unsupported("decoder", type, supported: "WordPiece, Metaspace")
        }
    }
}
