import DSPrepSupport

/// Replaces every occurrence of a literal string (HF `Replace` with a `String` pattern).
public struct Replace: Normalizer {
    public var pattern: String
    public var content: String
    public init(pattern: String, content: String) {
        self.pattern = pattern
        self.content = content
    }
    public func normalize(_ string: inout NormalizedString) {
        string.replace(pattern.unicodeScalars.map(\.value), with: content.unicodeScalars.map(\.value))
    }
    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", .object([("String", .string(pattern))])),
                 ("content", .string(content))])
    }
}
