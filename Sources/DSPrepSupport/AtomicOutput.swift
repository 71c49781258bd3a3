import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output that becomes visible only when complete: everything is written under a temporary
/// sibling name and renamed into place at the end, so a crash, Ctrl-C or kill -9 never leaves a
/// partial file or directory at the final path.
public enum AtomicOutput {
    /// A fresh temporary path beside `finalPath` (same filesystem, so rename is atomic).
    public static func temporarySibling(of finalPath: String) -> String {
        let url = URL(fileURLWithPath: finalPath)
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Writes a file atomically: temporary file, fsync, rename.
    public static func writeFile(_ data: Data, to path: String) throws {
        let temporary = temporarySibling(of: path)
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
            try fsyncPath(temporary)
            try replace(path, with: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Writes a file atomically from pieces: `body` appends them to the handle of a temporary
    /// file (so a large file never has to exist in memory whole), then fsync and rename.
    public static func writeFile(to path: String, _ body: (FileHandle) throws -> Void) throws {
        let temporary = temporarySibling(of: path)
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw InputError("cannot create the file", at: SourceLocation(path: temporary))
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            do { try body(handle) } catch { try? handle.close(); throw error }
            try handle.synchronize()
            try handle.close()
            try replace(path, with: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Builds a directory atomically: `body` fills a temporary directory, which then replaces
    /// `path` (an existing directory there is removed only after the new one is complete).
    public static func writeDirectory<T>(at path: String, _ body: (String) throws -> T) throws -> T {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let temporary = temporarySibling(of: path)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do {
            let result = try body(temporary)
            try replace(path, with: temporary)
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Moves `temporary` to `path`. For a directory that already exists at `path`, the old one is
    /// first renamed aside, so `path` always holds either the old or the new complete output.
    public static func replace(_ path: String, with temporary: String) throws {
        if rename(temporary, path) == 0 { return }
        guard errno == ENOTEMPTY || errno == EEXIST || errno == EISDIR else {
            throw InputError("cannot move output into place: \(String(cString: strerror(errno)))",
                             at: SourceLocation(path: path))
        }
        let aside = temporarySibling(of: path) + ".old"
        guard rename(path, aside) == 0 else {
            throw InputError("cannot replace existing output: \(String(cString: strerror(errno)))",
                             at: SourceLocation(path: path))
        }
        guard rename(temporary, path) == 0 else {
            _ = rename(aside, path)
            throw InputError("cannot move output into place: \(String(cString: strerror(errno)))",
                             at: SourceLocation(path: path))
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// Flushes a file's (or directory's) contents to disk.
    public static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputError("cannot open for fsync", at: SourceLocation(path: path)) }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
