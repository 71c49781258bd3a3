import DSPrepSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands the pages of a read-only file map that a pass has finished with back to the kernel, so
/// that the resident size of a streaming read stays bounded instead of growing to the file's
/// size. The map stays valid: a page touched again is simply read back from the page cache.
struct ConsumedPages {
    private let bytes: UnsafeRawBufferPointer
    /// A stream read into memory has no file behind it: releasing would zero its pages.
    private let releases: Bool
    private var released = 0
    private static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)
    /// Releasing in large steps keeps the number of system calls small.
    private static let step = 4 << 20

    init(_ file: MappedFile) {
        bytes = file.bytes
        releases = file.isMemoryMapped
    }

    /// Releases whole pages below `offset` (those not yet released) once a step has built up.
    mutating func release(upTo offset: Int) {
        let end = min(offset, bytes.count) / Self.pageSize * Self.pageSize
        guard releases, end - released >= Self.step || (end > released && offset >= bytes.count),
            let base = bytes.baseAddress
        else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }

    /// Starts over for a new pass from the beginning of the file.
    mutating func rewind() { released = 0 }
}
