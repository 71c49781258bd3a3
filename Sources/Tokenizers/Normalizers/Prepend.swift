import DSPrepSupport

/// Puts a fixed prefix before non-empty text (e.g. sentencepiece's "▁").
public struct Prepend: Normalizer {
    public var prefix: String
    public init(prefix: String) { self.prefix = prefix }
    public func normalize(_ string: inout NormalizedString) {
        string.prepend(prefix.unicodeScalars.map(\.value))
    }
    public var json: JSONValue { .object([("type", .string("Prepend")), ("prepend", .string(prefix))]) }
}
