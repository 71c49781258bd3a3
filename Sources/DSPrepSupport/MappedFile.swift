import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. The bytes stay valid while the object lives; column
/// buffers that point into the map keep a reference to it. A pipe or other stream cannot be
/// mapped (`dsprep encode <(zcat docs.gz)`): its bytes are read into memory instead.
/// Unchecked Sendable: the mapping is read-only and lives until deinit; a raw pointer is simply not Sendable.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    /// False for a stream read into memory: its pages must not be handed back to the kernel.
    public let isMemoryMapped: Bool
    /// The whole mapping, which starts on a page boundary at or before `bytes` (see `init(path:range:)`).
    private let mapping: UnsafeRawBufferPointer

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw InputError("cannot stat file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError("is a directory, expected a file", at: SourceLocation(path: path))
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            bytes = try Self.readStream(fd, path: path)
            mapping = bytes
            isMemoryMapped = false
            return
        }
        isMemoryMapped = true
        let size = Int(info.st_size)
        if size == 0 {
            // mmap of length 0 fails; an empty buffer with a stable non-null base is enough.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapping = bytes
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw InputError("cannot map file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        mapping = bytes
    }

    /// Maps only the bytes `range` of a regular file: `bytes[0]` is the file's byte
    /// `range.lowerBound`, and nothing outside the range (but the part of its first page before it)
    /// is mapped, so a reader of one shard cannot touch another's bytes. `expectedSize` guards
    /// against a file that changed since the range was chosen.
    public init(path: String, range: Range<Int>, expectedSize: Int) throws {
        self.path = path
        isMemoryMapped = true
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw InputError("cannot map part of it: not a regular file", at: SourceLocation(path: path))
        }
        guard Int(info.st_size) == expectedSize, range.lowerBound >= 0, range.upperBound <= expectedSize else {
            throw InputError("the file changed: it has \(info.st_size) bytes, expected \(expectedSize)", at: SourceLocation(path: path),
                             hint: "make the plan again (dsprep tokenize --plan-out) after changing an input")
        }
        if range.isEmpty {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mapping = bytes
            return
        }
        let mapStart = range.lowerBound / Self.pageSize * Self.pageSize
        let length = range.upperBound - mapStart
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, off_t(mapStart)), base != MAP_FAILED else {
            throw InputError("cannot map file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        mapping = UnsafeRawBufferPointer(start: base, count: length)
        bytes = UnsafeRawBufferPointer(start: base + (range.lowerBound - mapStart), count: range.count)
    }

    /// Tells the kernel we will read the whole file front to back.
    public func adviseSequential() {
        guard isMemoryMapped, let base = mapping.baseAddress, mapping.count > 0 else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), mapping.count, MADV_SEQUENTIAL)
    }

    /// Hands the whole pages of `bytes[range]` back to the kernel (the map stays valid: a page
    /// touched again is read back from the page cache). A partial page at either end stays, but
    /// at the end of the map. Returns the offset the released pages reach (for the next call's
    /// start). No-op for a stream read into memory (releasing would zero it).
    @discardableResult
    public func releasePages(_ range: Range<Int>) -> Int {
        guard isMemoryMapped, let base = bytes.baseAddress, let mapBase = mapping.baseAddress, !range.isEmpty else { return range.lowerBound }
        let pageSize = Self.pageSize
        let start = (Int(bitPattern: base) + range.lowerBound + pageSize - 1) / pageSize * pageSize
        let end = range.upperBound >= bytes.count ? Int(bitPattern: mapBase) + mapping.count
            : (Int(bitPattern: base) + range.upperBound) / pageSize * pageSize
        guard end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { return range.lowerBound }
        madvise(address, end - start, MADV_DONTNEED)
        return min(end - Int(bitPattern: base), bytes.count)
    }

    public static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

    /// Reads a stream to its end into one allocated buffer.
    private static func readStream(_ fd: Int32, path: String) throws -> UnsafeRawBufferPointer {
        var capacity = 1 << 20, count = 0
        guard var buffer = malloc(capacity) else { throw InputError("out of memory reading the stream", at: SourceLocation(path: path)) }
        while true {
            if count == capacity {
                capacity *= 2
                guard let grown = realloc(buffer, capacity) else {
                    free(buffer)
                    throw InputError("out of memory reading the stream", at: SourceLocation(path: path))
                }
                buffer = grown
            }
            let got = read(fd, buffer + count, capacity - count)
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                free(buffer)
                throw InputError("cannot read: \(reason)", at: SourceLocation(path: path))
            }
            count += got
        }
        return UnsafeRawBufferPointer(start: buffer, count: count)
    }

    deinit {
        guard let base = mapping.baseAddress else { return }
        if isMemoryMapped {
            if mapping.count > 0 { munmap(UnsafeMutableRawPointer(mutating: base), mapping.count) }
        } else {
            free(UnsafeMutableRawPointer(mutating: base))
        }
    }
}
