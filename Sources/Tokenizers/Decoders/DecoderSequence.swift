import DSPrepSupport

/// Runs decoders one after the other, each on the tokens the previous one returned (HF
/// `decoders.Sequence`).
public struct DecoderSequence: Decoder {
    public var decoders: [Decoder]

    public init(_ decoders: [Decoder]) { self.decoders = decoders }

    public func decodeChain(_ tokens: [String]) -> [String] {
        decoders.reduce(tokens) { $1.decodeChain($0) }
    }

    public var json: JSONValue {
        .object([("type", .string("Sequence")), ("decoders", .array(decoders.map(\.json)))])
    }
}
