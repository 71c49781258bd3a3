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
