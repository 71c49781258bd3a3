import DSPrepSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written front to back through a fixed buffer: small pieces (message headers, padding)
/// are gathered, large column buffers go straight to `write(2)`, so memory stays bounded no
/// matter how big the file gets.
final class BufferedFileOutput {
    let path: String
    private var descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    /// Bytes handed to this output so far (buffered or written).
    private(set) var bytesWritten = 0
    /// When set, every byte written is hashed too (content fingerprints without a second pass).
    var hasher: ContentHasher?

    init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw InputError("cannot create file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
    }

    deinit {
        if descriptor >= 0 { _ = posixClose(descriptor) }
        buffer.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        bytesWritten += bytes.count
        hasher?.update(bytes)
        if buffered + bytes.count <= buffer.count {
            (buffer.baseAddress! + buffered).copyMemory(from: base, byteCount: bytes.count)
            buffered += bytes.count
            return
        }
        try flush()
        if bytes.count <= buffer.count {
            buffer.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
            buffered = bytes.count
        } else {
            try writeFully(bytes)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write<T: FixedWidthInteger>(_ value: T) throws {
        try withUnsafeBytes(of: value.littleEndian) { try write($0) }
    }

    /// Pads with zero bytes up to a multiple of `alignment` of the bytes written so far.
    func pad(to alignment: Int) throws {
        let zeros = [UInt8](repeating: 0, count: (alignment - bytesWritten % alignment) % alignment)
        try write(zeros)
    }

    func flush() throws {
        guard buffered > 0 else { return }
        try writeFully(UnsafeRawBufferPointer(start: buffer.baseAddress, count: buffered))
        buffered = 0
    }

    /// Flushes, syncs to disk (the file is about to be renamed into place) and closes.
    func close() throws {
        try flush()
        guard descriptor >= 0 else { return }
        let synced = fsync(descriptor) == 0
        let closed = posixClose(descriptor) == 0
        descriptor = -1
        guard synced, closed else {
            throw InputError("cannot finish writing: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = posixWrite(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw InputError("cannot write: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
            }
            pointer += written
            remaining -= written
        }
    }
}

// The class's own `write`/`close` methods hide the C functions inside it.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func posixWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, pointer, count) }
