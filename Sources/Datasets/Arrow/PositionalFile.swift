import DSPrepSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads byte ranges of a file with `pread(2)` into fresh heap buffers.
///
/// Opening a dataset reads every record batch's metadata and checks its offsets. Doing that
/// through the memory map made each glance fault in (map) the whole neighbourhood of the page:
/// opening 640 HF batches of 1000 rows mapped most of a 170 MB file. Copying the few bytes it
/// needs instead leaves the map untouched until a column is actually read.
final class PositionalFile {
    let path: String
    private let descriptor: Int32

    /// Opens `path`, which must still be the file `expected` maps (same size).
    init(_ expected: MappedFile) throws {
        path = expected.path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) == expected.bytes.count else {
            close(descriptor)
            throw InputError("the file changed while it was being opened", at: SourceLocation(path: path))
        }
    }

    deinit { close(descriptor) }

    /// `count` bytes at `offset` (the caller has checked they lie inside the file), 8-byte aligned.
    func read(at offset: Int, count: Int) throws -> ByteBuffer {
        let storage = HeapStorage(capacity: count)
        var done = 0
        while done < count {
            let got = pread(descriptor, storage.pointer + done, count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                let reason = got == 0 ? "unexpected end of file" : String(cString: strerror(errno))
                throw InputError("cannot read \(count) bytes at \(offset): \(reason)", at: SourceLocation(path: path))
            }
            done += got
        }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: storage.pointer, count: count), owner: storage)
    }
}
