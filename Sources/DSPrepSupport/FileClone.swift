import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An independent copy of a file: a reflink (`ioctl(FICLONE)`: shared extents, copy-on-write, so
/// instant on btrfs/XFS) where the filesystem offers one, else a plain copy. Unlike a hard
/// link, writing to either file never changes the other.
public enum FileClone {
    /// `_IOW(0x94, 9, int)` from linux/fs.h.
    private static let ficlone: UInt = 0x4004_9409

    public static func cloneOrCopy(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot read", source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw failure("cannot read", source) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o666)
        guard output >= 0 else { throw failure("cannot write", destination) }
        defer { close(output) }
        #if os(Linux)
        if ioctl(output, ficlone, input) == 0 { return }
        #endif
        try copyRemaining(from: input, to: output, source: source, destination: destination)
    }

    /// Copies everything left to read from `input` (a file or a pipe) to `output`, in bounded memory.
    public static func copyRemaining(from input: Int32, to output: Int32, source: String, destination: String) throws {
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, chunk)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read", source) }
            if count == 0 { return }
            var written = 0
            while written < count {
                let step = write(output, buffer + written, count - written)
                if step < 0 && errno == EINTR { continue }
                guard step > 0 else { throw failure("cannot write", destination) }
                written += step
            }
        }
    }

    private static func failure(_ what: String, _ path: String) -> InputError {
        InputError("\(what): \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
    }
}
