/// Content digests of a mapped file or part of it, read in chunks with each chunk's pages handed
/// back behind the read, so that digesting a file larger than memory keeps memory flat.
public enum FileDigest {
    private static let chunk = 4 << 20

    /// The 128-bit digest (32 hex digits) of `file.bytes[range]`, its length included.
    public static func of(_ file: MappedFile, range: Range<Int>) -> String {
        var hasher = ContentHasher()
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + chunk, range.upperBound)
            hasher.update(UnsafeRawBufferPointer(rebasing: file.bytes[start..<end]))
            file.releasePages(start..<end)
            start = end
        }
        hasher.update(range.count)
        return hasher.hexDigest
    }

    /// The digest of a whole file.
    public static func of(path: String) throws -> String {
        let file = try MappedFile(path: path)
        file.adviseSequential()
        return of(file, range: 0..<file.bytes.count)
    }
}
