import DSPrepSupport

/// Removes combining marks (Mn, Mc, Me). Usually placed after NFD.
public struct StripAccents: Normalizer {
    public init() {}
    public func normalize(_ string: inout NormalizedString) {
        string.filter { !CharacterClasses.flags($0).contains(.combiningMark) }
    }
    public var json: JSONValue { .object([("type", .string("StripAccents"))]) }
}
