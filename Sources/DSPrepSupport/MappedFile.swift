import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. The bytes stay valid while the object lives; column
/// buffers that point into the map keep a reference to it.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer

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
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        madvise(UnsafeMutableRawPointer(mutating: base), bytes.count, MADV_SEQUENTIAL)
    }

    deinit {
        if let base = bytes.baseAddress, bytes.count > 0 {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
