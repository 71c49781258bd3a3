import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. The bytes stay valid while the object lives; column
/// buffers that point into the map keep a reference to it. A pipe or other stream cannot be
/// mapped (`dsprep encode <(zcat docs.gz)`): its bytes are read into memory instead.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    /// False for a stream read into memory: its pages must not be handed back to the kernel.
    public let isMemoryMapped: Bool

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
            isMemoryMapped = false
            return
        }
        isMemoryMapped = true
        let size = Int(info.st_size)
        if size == 0 {
            // mmap of length 0 fails; an empty buffer with a stable non-null base is enough.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw InputError("cannot map file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Tells the kernel we will read the whole file front to back.
    public func adviseSequential() {
        guard isMemoryMapped, let base = bytes.baseAddress, bytes.count > 0 else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_SEQUENTIAL)
    }

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
        guard let base = bytes.baseAddress else { return }
        if isMemoryMapped {
            if bytes.count > 0 { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
        } else {
            free(UnsafeMutableRawPointer(mutating: base))
        }
    }
}
