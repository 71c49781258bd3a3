import DSPrepSupport

/// Hands the pages of a read-only file map that a pass has finished with back to the kernel, so
/// that the resident size of a streaming read stays bounded instead of growing to the file's
/// size. The map stays valid: a page touched again is simply read back from the page cache.
struct ConsumedPages {
    private let file: MappedFile
    private var released = 0
    /// Releasing in large steps keeps the number of system calls small.
    private static let step = 4 << 20

    init(_ file: MappedFile) {
        self.file = file
    }

    /// Releases the bytes below `offset` not yet released, once a step has built up.
    mutating func release(upTo offset: Int) {
        let end = min(offset, file.bytes.count)
        guard end - released >= Self.step || (end > released && offset >= file.bytes.count) else { return }
        // The partial page at `end` stays; the next release starts on it.
        released = file.releasePages(released..<end)
    }
}
