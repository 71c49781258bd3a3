import DSPrepSupport

/// Unicode lowercasing (Rust `char::to_lowercase`, which may expand one scalar into several).
public struct Lowercase: Normalizer {
    public init() {}
    public func normalize(_ string: inout NormalizedString) { string.lowercase() }
    public var json: JSONValue { .object([("type", .string("Lowercase"))]) }
}
