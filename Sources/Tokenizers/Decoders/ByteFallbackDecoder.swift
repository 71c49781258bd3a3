import DSPrepSupport

/// Turns runs of `<0xNN>` tokens back into text (HF `decoders.ByteFallback`): a run whose bytes
/// are valid UTF-8 becomes one token with that text; an invalid run becomes one U+FFFD per byte
/// (not the usual one per maximal invalid subsequence). Other tokens pass through.
public struct ByteFallbackDecoder: Decoder {
    public init() {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var output: [String] = []
        output.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let valid = pending.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) == nil }
            if valid {
                output.append(String(decoding: pending, as: UTF8.self))
            } else {
                output.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            if let byte = Self.byte(of: token) {
                pending.append(byte)
            } else {
                flush()
                output.append(token)
            }
        }
        flush()
        return output
    }

    /// The byte a `<0xNN>` token stands for, read as HF does: six UTF-8 bytes, `<0x`, two
    /// characters Rust's `u8::from_str_radix(_, 16)` accepts (either case, or `+` and one
    /// digit), `>`.
    static func byte(of token: String) -> UInt8? {
        var token = token
        return token.withUTF8 { bytes -> UInt8? in
            guard bytes.count == 6, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"),
                  bytes[2] == UInt8(ascii: "x"), bytes[5] == UInt8(ascii: ">") else { return nil }
            guard let low = hexValue(bytes[4]) else { return nil }
            if bytes[3] == UInt8(ascii: "+") { return low }
            guard let high = hexValue(bytes[3]) else { return nil }
            return high << 4 | low
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    public var json: JSONValue { .object([("type", .string("ByteFallback"))]) }
}
