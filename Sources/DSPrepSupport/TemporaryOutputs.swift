import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hidden temporary paths (`.NAME.tmp-PID-N`) a run writes its outputs in before renaming
/// them into place: named after the owning process, removed on SIGINT/SIGTERM, and swept by a
/// later run writing beside them once their process is gone (after a kill -9 or a crash).
public enum TemporaryOutputs {
    /// A fresh temporary path beside `finalPath` (same folder, so the final rename is atomic).
    /// Leftovers of dead runs for the same name are removed first.
    public static func siblingPath(of finalPath: String) -> String {
        let url = URL(fileURLWithPath: finalPath)
        sweepStale(for: url.lastPathComponent, in: url.deletingLastPathComponent().path)
        let name = prefix(for: url.lastPathComponent) + "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Creates a temporary directory beside `finalPath`, removed if the process is interrupted.
    public static func makeDirectory(beside finalPath: String) throws -> String {
        let path = siblingPath(of: finalPath)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw InputError("cannot create a folder here: \((error as NSError).localizedFailureReason ?? "permission denied?")",
                             at: SourceLocation(path: URL(fileURLWithPath: finalPath).deletingLastPathComponent().path))
        }
        register(path)
        return path
    }

    /// Tracks `path` for removal on interruption (until `release` or `discard`).
    public static func register(_ path: String) {
        installSignalHandlers
        lock.lock()
        live.insert(path)
        lock.unlock()
    }

    /// Stops tracking `path` (it was renamed into place).
    public static func release(_ path: String) {
        lock.lock()
        live.remove(path)
        lock.unlock()
    }

    /// Removes `path` and stops tracking it.
    public static func discard(_ path: String) {
        release(path)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs `body` (a rename into place) so that an interruption waits for it to finish: the
    /// cleanup never sees half of a replacement.
    public static func uninterrupted<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// `.NAME.tmp-`: what every temporary path for `name` starts with.
    static func prefix(for name: String) -> String { "." + name + ".tmp-" }

    /// Removes `.NAME.tmp-PID-N` (and `.old` variants) in `folder` whose process no longer runs.
    /// Only names of exactly this form are touched, and never one of a live process.
    public static func sweepStale(for name: String, in folder: String) {
        let start = prefix(for: name)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(start) {
            var rest = entry.dropFirst(start.count)
            if rest.hasSuffix(".old") { rest = rest.dropLast(4) }
            let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil,
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + entry)
        }
    }

    /// Read and written only under `lock` (hence nonisolated(unsafe): a lock, not an actor, guards it).
    nonisolated(unsafe) private static var live = Set<String>()
    private static let lock = NSLock()
    /// Write end of the pipe the signal handler wakes the cleanup thread through; set once, by
    /// `installSignalHandlers`' one-time initializer, before the handler that reads it is installed
    /// (a signal handler can take neither a lock nor an actor).
    nonisolated(unsafe) private static var wakeDescriptor: Int32 = -1

    /// On SIGINT/SIGTERM: remove the live temporary paths, then die of the signal as before.
    /// The handler itself only writes the signal number to a pipe (all a handler may safely do);
    /// a thread waiting on the pipe does the removal. Installed synchronously, so a signal that
    /// arrives right after the first temporary folder exists is already caught.
    private static let installSignalHandlers: Void = {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return }
        wakeDescriptor = descriptors[1]
        let readDescriptor = descriptors[0]
        Thread {
            var number: Int32 = 0
            while read(readDescriptor, &number, MemoryLayout<Int32>.size) != MemoryLayout<Int32>.size {}
            removeLivePathsAndDie(of: number)
        }.start()
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                var value = received
                _ = write(TemporaryOutputs.wakeDescriptor, &value, MemoryLayout<Int32>.size)
            }
        }
    }()

    private static func removeLivePathsAndDie(of number: Int32) -> Never {
        lock.lock()  // held to the end: no replacement starts or finishes meanwhile
        for path in live {
            // The writer may still be adding files while this removes them: retry a little.
            var attempts = 0
            while attempts < 5, FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.removeItem(atPath: path)
                attempts += 1
            }
        }
        signal(number, SIG_DFL)
        kill(getpid(), number)
        // Not reached while the signal is deliverable; exit as a shell would report it otherwise.
        exit(128 + number)
    }
}
