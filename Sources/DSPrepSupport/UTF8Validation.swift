/// UTF-8 well-formedness (RFC 3629: shortest forms only, no surrogates, nothing above U+10FFFF)
/// without building a String, eight ASCII bytes at a time.
public enum UTF8Validation {
    /// The byte offset where the first ill-formed sequence starts (or the first NUL byte, when
    /// `rejectingNUL`), or nil when all of `bytes` is well-formed.
    public static func firstInvalidOffset(in bytes: UnsafeRawBufferPointer, rejectingNUL: Bool = false) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        var index = 0
        while index < count {
            // Fast path: eight ASCII bytes (none of them NUL, when NUL is rejected).
            if index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let zeroBytes = rejectingNUL ? (word &- ones) & ~word & highBits : 0
                if (word | zeroBytes) & highBits == 0 {
                    index += 8
                    continue
                }
            }
            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                if lead == 0 && rejectingNUL { return index }
                index += 1
                continue
            }
            // Fast path: a three-byte sequence whose lead allows any continuation bytes (all of
            // Hangul but U+D000-U+D7A3, CJK, most punctuation), checked with one mask.
            if lead >= 0xE1 && lead != 0xED && lead <= 0xEF && index + 3 <= count
                && base.loadUnaligned(fromByteOffset: index + 1, as: UInt16.self) & 0xC0C0 == 0x8080 {
                index += 3
                continue
            }
            let length = sequenceLength(base, at: index, count: count)
            if length == 0 { return index }
            index += length
        }
        return nil
    }

    /// Length of the well-formed sequence starting with the non-ASCII byte at `index`, 0 if
    /// ill-formed: the second byte's range depends on the lead (no overlong forms, no
    /// surrogates, nothing past U+10FFFF), later bytes are plain continuations.
    @inline(__always)
    private static func sequenceLength(_ base: UnsafeRawPointer, at index: Int, count: Int) -> Int {
        @inline(__always) func byte(_ offset: Int) -> UInt8 {
            index + offset < count ? base.load(fromByteOffset: index + offset, as: UInt8.self) : 0
        }
        @inline(__always) func isContinuation(_ value: UInt8) -> Bool { value & 0xC0 == 0x80 }
        let lead = byte(0)
        let second = byte(1)
        switch lead {
        case 0xC2...0xDF:
            return isContinuation(second) ? 2 : 0
        case 0xE0...0xEF:
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
            return (low...high).contains(second) && isContinuation(byte(2)) ? 3 : 0
        case 0xF0...0xF4:
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
            return (low...high).contains(second) && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        default:
            return 0
        }
    }
}
