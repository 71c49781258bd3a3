import DSPrepSupport

/// Several normalizers applied in order.
public struct NormalizerSequence: Normalizer {
    public var normalizers: [Normalizer]
    public init(_ normalizers: [Normalizer]) { self.normalizers = normalizers }
    public func normalize(_ string: inout NormalizedString) throws {
        for normalizer in normalizers { try normalizer.normalize(&string) }
    }
    public var json: JSONValue {
        .object([("type", .string("Sequence")), ("normalizers", .array(normalizers.map(\.json)))])
    }
}
