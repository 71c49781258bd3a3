import DSPrepSupport

/// Replaces every match of a literal string or a regex by `content` (HF `Replace`).
public struct Replace: Normalizer {
    public let pattern: TextPattern
    public let content: String
    private let contentScalars: [UInt32]

    public init(_ pattern: TextPattern, content: String) {
        self.pattern = pattern
        self.content = content
        contentScalars = content.unicodeScalars.map(\.value)
    }

    public func normalize(_ string: inout NormalizedString) throws {
        string.replace(try pattern.matches(in: string.scalars), with: contentScalars)
    }

    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", pattern.json), ("content", .string(content))])
    }
}
