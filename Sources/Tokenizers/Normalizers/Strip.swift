import DSPrepSupport

/// Removes leading and/or trailing whitespace.
public struct Strip: Normalizer {
    public var left: Bool
    public var right: Bool
    public init(left: Bool = true, right: Bool = true) {
        self.left = left
        self.right = right
    }
    public func normalize(_ string: inout NormalizedString) { string.strip(left: left, right: right) }
    public var json: JSONValue {
        .object([("type", .string("Strip")), ("strip_left", .bool(left)), ("strip_right", .bool(right))])
    }
}
