import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An input as a regular file: the input itself when it is one, else (a pipe such as
/// `<(zcat train.tsv.gz)`) a copy streamed into a temporary folder. Jobs whose cache key is a
/// digest of the input's content read it twice, once for the key and once for the work; a pipe
/// can be read only once, so it is copied first (in bounded memory, not held whole).
public struct SpooledInput {
    /// The input's bytes as a regular file.
    public let path: String
    /// The temporary folder holding the copy, if one was made.
    private let folder: String?

    /// `scratchFolder`: where a copy goes (a hidden folder is made in it and removed by `remove`).
    public init(path input: String, scratchFolder: String) throws {
        // Copies left by runs killed outside our signal handlers (kill -9) go now.
        TemporaryOutputs.sweepStale(for: Self.spoolName, in: scratchFolder)
        guard Self.isStream(input) else {
            path = input
            folder = nil
            return
        }
        try FileManager.default.createDirectory(atPath: scratchFolder, withIntermediateDirectories: true)
        let folder = try TemporaryOutputs.makeDirectory(beside: scratchFolder + "/" + Self.spoolName)
        // Keep the name: formats are recognized by extension (a FIFO named train.tsv).
        let copy = folder + "/" + URL(fileURLWithPath: input).lastPathComponent
        do {
            try Self.copyStream(from: input, to: copy)
        } catch {
            TemporaryOutputs.discard(folder)
            throw error
        }
        path = copy
        self.folder = folder
    }

    private static let spoolName = "dsprep-spool"

    /// Whether `path` is a pipe or another stream (not a regular file or a directory).
    public static func isStream(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR
    }

    /// Removes the copy, if one was made.
    public func remove() {
        if let folder { TemporaryOutputs.discard(folder) }
    }

    private static func copyStream(from input: String, to copy: String) throws {
        let source = open(input, O_RDONLY)
        guard source >= 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: input))
        }
        defer { close(source) }
        let target = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard target >= 0 else {
            throw InputError("cannot write a copy of a streamed input: \(String(cString: strerror(errno)))", at: SourceLocation(path: copy))
        }
        defer { close(target) }
        try FileClone.copyRemaining(from: source, to: target, source: input, destination: copy)
    }
}
