import DSPrepSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A content-addressed store of computed datasets (map results, tokenized shards).
///
/// Keys come from content (input bytes, operation and parameters, tokenizer file bytes, dsprep's
/// format version), never from paths or timestamps, so the same job is reused whatever folder
/// or process runs it. An entry is built in a temporary folder, flushed to disk, and renamed into
/// place: it becomes visible only when complete, a killed run leaves only a temporary folder
/// that is never served, and two runs of the same job at once both succeed (the second finds
/// the first's entry and drops its own copy).
public struct DatasetCache: Sendable {
    /// Bumped whenever the on-disk layout or any operation's output changes.
    public static let formatVersion = 1

    public let root: String

    public init(root: String) { self.root = root }

    /// `$DSPREP_CACHE`, or `~/.cache/dsprep`.
    public static func fromEnvironment() -> DatasetCache {
        if let path = ProcessInfo.processInfo.environment["DSPREP_CACHE"], !path.isEmpty {
            return DatasetCache(root: path)
        }
        return DatasetCache(root: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/dsprep").path)
    }

    private var entriesFolder: String { root + "/entries" }

    public func path(for key: String) -> String { entriesFolder + "/" + key }

    /// The entry's folder when a complete entry exists.
    public func lookup(_ key: String) -> String? {
        var isDirectory: ObjCBool = false
        let path = path(for: key)
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
    }

    /// Returns the entry for `key`, building it with `build` (which fills the folder it is given)
    /// when absent. `description` is saved beside the data for `dsprep cache ls`.
    @discardableResult
    public func entry(for key: String, description: String, build: (String) throws -> Void) throws -> String {
        if let existing = lookup(key) { return existing }
        try FileManager.default.createDirectory(atPath: entriesFolder, withIntermediateDirectories: true)
        let final = path(for: key)
        let temporary = AtomicOutput.temporarySibling(of: final)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do {
            try build(temporary)
            let info: [String: Any] = [
                "key": key, "description": description, "created": ISO8601DateFormatter().string(from: Date()),
                "format_version": Self.formatVersion,
            ]
            try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .prettyPrinted])
                .write(to: URL(fileURLWithPath: temporary + "/" + Self.entryInfoFile))
            try Self.fsyncTree(temporary)
            if rename(temporary, final) != 0 {
                // Another run finished the same entry first: keep theirs.
                let failure = errno
                try? FileManager.default.removeItem(atPath: temporary)
                guard lookup(key) != nil else {
                    throw InputError("cannot store cache entry: \(String(cString: strerror(failure)))", at: SourceLocation(path: final))
                }
            }
            try? AtomicOutput.fsyncPath(entriesFolder)
            return final
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    public static let entryInfoFile = "dsprep-cache-entry.json"

    /// The 128-bit content digest of a file. Computing it reads the whole file (about 20 ms for
    /// 64 MB), so it is remembered under the file's identity — device, inode, size and the
    /// nanosecond modification and status-change times, which any write, truncation or
    /// replacement changes. The digest, not the identity, goes into cache keys: results stay keyed
    /// on content, and a copy of the file elsewhere hits the same entries.
    public func contentDigest(of path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        // A pipe would be drained by the digest and read empty by the job that follows.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw InputError("not a regular file (a pipe?): cached results are keyed on the input's content, which needs a second read",
                             at: SourceLocation(path: path), hint: "write it to a file first, e.g. zcat docs.tsv.gz > docs.tsv")
        }
        let identity = "\(info.st_dev)-\(info.st_ino)-\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)-\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        var name = ContentHasher()
        name.update(identity)
        let memo = root + "/digests/" + name.hexDigest
        if let saved = try? String(contentsOfFile: memo, encoding: .utf8) {
            let lines = saved.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 2, lines[0] == identity, lines[1].count == 32 { return String(lines[1]) }
        }
        let digest = try Self.computeDigest(of: path)
        // Best effort: a memo that cannot be written only costs the next run a re-read.
        try? FileManager.default.createDirectory(atPath: root + "/digests", withIntermediateDirectories: true)
        try? AtomicOutput.writeFile(Data((identity + "\n" + digest + "\n").utf8), to: memo)
        return digest
    }

    /// The 128-bit content digest of a file, read in full.
    public static func computeDigest(of path: String) throws -> String {
        let file = try MappedFile(path: path)
        file.adviseSequential()
        var hasher = ContentHasher()
        hasher.update(UnsafeRawBufferPointer(rebasing: file.bytes[...]))
        hasher.update(file.bytes.count)
        return hasher.hexDigest
    }

    public struct Entry: Sendable {
        public var key: String
        public var description: String
        public var created: String
        public var bytes: Int
    }

    /// Complete entries, newest first.
    public func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: entriesFolder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap { name -> Entry? in
            let folder = entriesFolder + "/" + name
            let info = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + Self.entryInfoFile)))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
            return Entry(key: name, description: info["description"] as? String ?? "",
                         created: info["created"] as? String ?? "", bytes: Self.treeSize(folder))
        }.sorted { $0.created > $1.created }
    }

    /// Removes every entry, any temporary folder a killed run left behind, and the remembered
    /// file digests.
    public func clear() throws -> (entries: Int, bytes: Int) {
        try? FileManager.default.removeItem(atPath: root + "/digests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: entriesFolder)) ?? []
        var bytes = 0
        for name in names {
            let folder = entriesFolder + "/" + name
            bytes += Self.treeSize(folder)
            try FileManager.default.removeItem(atPath: folder)
        }
        return (names.filter { !$0.hasPrefix(".") }.count, bytes)
    }

    static func treeSize(_ folder: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
        var total = 0
        for case let name as String in walker {
            total += ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.size] as? Int) ?? 0
        }
        return total
    }

    static func fsyncTree(_ folder: String) throws {
        if let walker = FileManager.default.enumerator(atPath: folder) {
            for case let name as String in walker { try AtomicOutput.fsyncPath(folder + "/" + name) }
        }
        try AtomicOutput.fsyncPath(folder)
    }
}

/// Builds a cache key from everything that determines a result.
public struct CacheKey {
    private var hasher = ContentHasher()

    public init(operation: String) {
        hasher.update("dsprep-cache-v\(DatasetCache.formatVersion)")
        hasher.update(operation)
    }

    /// A parameter of the operation (name and value both count).
    public mutating func add(_ name: String, _ value: String) {
        hasher.update(name)
        hasher.update(value)
    }

    /// The content of an input file, as its digest (remembered by `cache` when given, see
    /// `DatasetCache.contentDigest`).
    public mutating func addFile(_ path: String, digestsIn cache: DatasetCache? = nil) throws {
        hasher.update("file")
        hasher.update(try cache?.contentDigest(of: path) ?? DatasetCache.computeDigest(of: path))
    }

    public var value: String { hasher.hexDigest }
}
