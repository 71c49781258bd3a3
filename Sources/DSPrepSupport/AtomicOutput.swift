import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output that becomes visible only when complete: everything is written under a temporary
/// sibling name (`TemporaryOutputs`) and renamed into place at the end, so a crash, Ctrl-C or
/// kill -9 never leaves a partial file or directory at the final path. What may be replaced is
/// `OutputPolicy`'s decision, checked again just before the rename.
public enum AtomicOutput {
    /// A fresh temporary path beside `finalPath` (same filesystem, so rename is atomic).
    public static func temporarySibling(of finalPath: String) -> String { TemporaryOutputs.siblingPath(of: finalPath) }

    /// Writes a file atomically: temporary file, fsync, rename. Replaces a file at `path`: the
    /// caller has checked `OutputPolicy.checkFile` (or writes inside its own temporary folder).
    /// `durable: false` skips the fsync, for files whose loss in a crash only costs time (memos).
    public static func writeFile(_ data: Data, to path: String, durable: Bool = true) throws {
        try writeFile(to: path, durable: durable) { try $0.write(contentsOf: data) }
    }

    /// Writes a file atomically from pieces: `body` appends them to the handle of a temporary
    /// file (so a large file, a checkpoint, never has to exist in memory whole), then fsync and rename.
    public static func writeFile(to path: String, durable: Bool = true, _ body: (FileHandle) throws -> Void) throws {
        let temporary = temporarySibling(of: path)
        TemporaryOutputs.register(temporary)
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw InputError("cannot create the file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            do {
                try body(handle)
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if durable { try fsyncPath(temporary) }
            try TemporaryOutputs.uninterrupted {
                guard rename(temporary, path) == 0 else {
                    throw InputError("cannot write the file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
                }
            }
            TemporaryOutputs.release(temporary)
        } catch {
            TemporaryOutputs.discard(temporary)
            throw error
        }
    }

    /// Builds a directory atomically: `body` fills a temporary directory, which gets the marker
    /// of `kind` and then replaces `path` (an existing output there is removed only after the
    /// new one is complete, and only if `OutputPolicy` allows).
    public static func writeDirectory<T>(at path: String, kind: OutputKind, _ body: (String) throws -> T) throws -> T {
        let temporary = try makeTemporaryDirectory(beside: path)
        do {
            let result = try body(temporary)
            try replace(path, with: temporary, kind: kind)
            return result
        } catch {
            TemporaryOutputs.discard(temporary)
            throw error
        }
    }

    /// A temporary directory beside `path` (whose parent folders are created).
    public static func makeTemporaryDirectory(beside path: String) throws -> String {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the output's parent folder", at: SourceLocation(path: parent),
                             hint: "check the path and its permissions")
        }
        return try TemporaryOutputs.makeDirectory(beside: path)
    }

    /// Marks the complete directory `temporary` as an output of `kind` and moves it to `path`.
    /// An existing output at `path` is first renamed aside, so `path` always holds either the
    /// old or the new complete output; the old one is removed after.
    public static func replace(_ path: String, with temporary: String, kind: OutputKind) throws {
        try OutputPolicy.writeMarker(kind: kind, in: temporary)
        try fsyncPath(temporary)
        try OutputPolicy.checkReplaceable(path, kind: kind, flag: nil)
        let aside = temporarySibling(of: path) + ".old"
        try TemporaryOutputs.uninterrupted {
            if rename(temporary, path) == 0 { return }
            guard errno == ENOTEMPTY || errno == EEXIST || errno == EISDIR else {
                throw InputError("cannot move the output into place: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
            }
            guard rename(path, aside) == 0 else {
                throw InputError("cannot replace the existing output: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
            }
            guard rename(temporary, path) == 0 else {
                _ = rename(aside, path)
                throw InputError("cannot move the output into place: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
            }
        }
        TemporaryOutputs.release(temporary)
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
