#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte searches over a mapped file. `memchr` is vectorized in libc, which makes it the
/// fastest way to skip over long runs of field text.
enum ByteSearch {
    /// The offset of the first `byte` in `from..<to`, or nil.
    @inline(__always)
    static func find(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// `find` for a byte that is usually close: the first 16 bytes are checked inline, eight at
    /// a time, which saves a library call for short fields (ids, labels).
    @inline(__always)
    static func findNear(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(byte)
        let inlineEnd = min(from + 16, to)
        var index = from
        while index + 8 <= inlineEnd {
            // A zero byte in `word ^ pattern` is a match; the lowest flagged byte is exact.
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ pattern
            let matches = (word &- ones) & ~word & (ones << 7)
            if matches != 0 { return index + matches.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < inlineEnd {
            if bytes[index] == byte { return index }
            index += 1
        }
        return find(byte, in: bytes, from: index, to: to)
    }

    /// The number of `byte`s in `from..<to`.
    static func count(_ byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int {
        var total = 0
        var index = from
        while let hit = find(byte, in: bytes, from: index, to: to) {
            total += 1
            index = hit + 1
        }
        return total
    }
}
