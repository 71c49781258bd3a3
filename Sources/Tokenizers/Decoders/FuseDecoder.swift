import DSPrepSupport

/// Joins all tokens into one (HF `decoders.Fuse`), so the decoders after it see the whole text.
public struct FuseDecoder: Decoder {
    public init() {}

    public func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }

    public var json: JSONValue { .object([("type", .string("Fuse"))]) }
}
