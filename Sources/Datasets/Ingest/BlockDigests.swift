import DSPrepSupport

/// Digests of byte ranges of a file, made from fixed blocks aligned to the file's start: the
/// digest of a range covers its pieces (the range cut at every multiple of `blockSize`), each
/// digested on its own. A reader's first pass digests every block as it checks the file
/// (`FirstPassRequest.blockDigests`), so a planner that finds shard boundaries only at the end of
/// that pass reads again just the blocks a boundary cuts; a shard digests its own range's pieces
/// (`digest(of:fileRange:blockSize:)`) and compares.
public struct BlockDigests {
    /// XXH64 of each whole block, block `k` being bytes `k * blockSize ..< (k + 1) * blockSize`
    /// (the last one up to the end of the file).
    private var blocks: [UInt64] = []
    public let blockSize: Int
    private var hasher = ContentHasher()
    private var filled = 0
    /// Bytes read again for pieces of blocks (`digest(of:fileSize:reading:)`).
    public private(set) var bytesReread = 0

    /// Blocks for a file of `size` bytes: a power of two from 64 KiB up, so that a file has at
    /// most 65,537 of them (512 KiB of digests, however large it is) and a boundary reads again
    /// at most 1/32,768 of it.
    init(fileSize size: Int) {
        var blockSize = 1 << 16
        while size / blockSize > 1 << 16 { blockSize <<= 1 }
        self.blockSize = blockSize
    }

    /// Digests the next bytes of the file, which arrive in order from its first byte.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(blockSize - filled, rest.count)
            hasher.update(UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            filled += take
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            if filled == blockSize { endBlock() }
        }
    }

    /// Ends the last, partial block (at the end of the file).
    mutating func finish() {
        if filled > 0 { endBlock() }
    }

    private mutating func endBlock() {
        blocks.append(hasher.xxh64)
        hasher = ContentHasher()
        filled = 0
    }

    /// The digest of bytes `range` of a file of `fileSize` bytes: whole blocks from the first
    /// pass, the pieces of cut blocks from `reading(piece)`, which gives those bytes again.
    public mutating func digest(of range: Range<Int>, fileSize: Int, reading: (Range<Int>) -> UnsafeRawBufferPointer) -> String {
        Self.combine(range, blockSize: blockSize) { piece in
            let block = piece.lowerBound / blockSize
            if piece.count == min(blockSize, fileSize - block * blockSize) { return blocks[block] }
            bytesReread += piece.count
            return Self.pieceDigest(reading(piece))
        }
    }

    /// The digest of `fileRange` of a file from `file`, a map of just that range
    /// (`MappedFile(path:range:expectedSize:)`), in the blocks of the planning pass, releasing
    /// pages behind the read.
    public static func digest(of file: MappedFile, fileRange: Range<Int>, blockSize: Int) -> String {
        combine(fileRange, blockSize: blockSize) { piece in
            let local = (piece.lowerBound - fileRange.lowerBound)..<(piece.upperBound - fileRange.lowerBound)
            defer { file.releasePages(local) }
            return pieceDigest(UnsafeRawBufferPointer(rebasing: file.bytes[local]))
        }
    }

    private static func pieceDigest(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = ContentHasher()
        hasher.update(bytes)
        return hasher.xxh64
    }

    /// The digest of `range` from its pieces' digests, in order, and its length.
    private static func combine(_ range: Range<Int>, blockSize: Int, _ pieceDigest: (Range<Int>) -> UInt64) -> String {
        var hasher = ContentHasher()
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min((start / blockSize + 1) * blockSize, range.upperBound)
            hasher.update(Int(bitPattern: UInt(pieceDigest(start..<end))))
            start = end
        }
        hasher.update(range.count)
        return hasher.hexDigest
    }
}
