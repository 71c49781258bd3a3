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
///
/// Entries are immutable and verified: each records the digest of every file at store time, and
/// a hit checks them (through the digest memo, so an unchanged file costs a `stat`). An entry
/// whose files changed is evicted and rebuilt, with a message. Outputs are copies (or reflinks),
/// never links into the cache, so editing an output cannot reach an entry.
public struct DatasetCache: Sendable {
    /// Bumped whenever the on-disk layout or any operation's output changes.
    /// 2: entries record their files' digests. 3: sentencepiece pairs truncated longest first.
    /// 4: rows never padded by a tokenizer.json's padding; shards' record batches on the whole input's grid.
    public static let formatVersion = 4

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

    /// The entry's folder when a complete entry exists (not verified: see `verifiedEntry`).
    public func lookup(_ key: String) -> String? {
        var isDirectory: ObjCBool = false
        let path = path(for: key)
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
    }

    /// The entry's folder when a complete entry exists and its files are those stored. An entry
    /// that fails the check is removed, saying so on stderr.
    public func verifiedEntry(_ key: String) -> String? {
        guard let entry = lookup(key) else { return nil }
        guard let files = manifest(of: entry) else {
            evict(entry, because: "its \(Self.entryInfoFile) is missing or unreadable")
            return nil
        }
        if let changed = changedFile(in: entry, against: files) {
            evict(entry, because: "its file \(changed) is not what was stored")
            return nil
        }
        return entry
    }

    private func evict(_ entry: String, because reason: String) {
        FileHandle.standardError.write(Data("dsprep: cache entry \(entry) was changed after it was stored (\(reason)); removing it and recomputing\n".utf8))
        // Renamed away first, so a concurrent run never sees a half-removed entry.
        let doomed = AtomicOutput.temporarySibling(of: entry)
        if rename(entry, doomed) == 0 { try? FileManager.default.removeItem(atPath: doomed) }
    }

    /// Returns the entry for `key`, building it with `build` (which fills the folder it is given)
    /// when absent or no longer intact. `description` is saved beside the data for `dsprep cache ls`.
    @discardableResult
    public func entry(for key: String, description: String, build: (String) throws -> Void) throws -> String {
        if let existing = verifiedEntry(key) { return existing }
        try FileManager.default.createDirectory(atPath: entriesFolder, withIntermediateDirectories: true)
        let final = path(for: key)
        let temporary = try TemporaryOutputs.makeDirectory(beside: final)
        do {
            try build(temporary)
            var files: [String: String] = [:]
            for name in Self.files(in: temporary) { files[name] = try Self.computeDigest(of: temporary + "/" + name) }
            let info = JSONValue.object([
                ("created", .string(ISO8601DateFormatter().string(from: Date()))), ("description", .string(description)),
                ("files", .object(files.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("format_version", .number(Double(Self.formatVersion))), ("key", .string(key)),
            ])
            try Data(info.serialized(.pythonDumps(indent: 2)).utf8).write(to: URL(fileURLWithPath: temporary + "/" + Self.entryInfoFile))
            try Self.fsyncTree(temporary)
            if rename(temporary, final) != 0 {
                // Another run finished the same entry first: keep theirs.
                let failure = errno
                TemporaryOutputs.discard(temporary)
                guard lookup(key) != nil else {
                    throw InputError("cannot store cache entry: \(String(cString: strerror(failure)))", at: SourceLocation(path: final))
                }
            } else {
                TemporaryOutputs.release(temporary)
                for (name, digest) in files { remember(digest, of: final + "/" + name) }
            }
            try? AtomicOutput.fsyncPath(entriesFolder)
            return final
        } catch {
            TemporaryOutputs.discard(temporary)
            throw error
        }
    }

    public static let entryInfoFile = "dsprep-cache-entry.json"

    /// An entry's info file, nil when it is missing or unreadable (the entry is then incomplete).
    private static func entryInfo(_ entry: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: entry + "/" + entryInfoFile) else { return nil }
        return try? data.withUnsafeBytes { try JSONValue.parse($0, path: entry + "/" + entryInfoFile) }
    }

    /// The files of an entry and their digests, as recorded when it was stored.
    public func manifest(of entry: String) -> [String: String]? {
        guard let members = Self.entryInfo(entry)?["files"]?.objectValue else { return nil }
        var files: [String: String] = [:]
        for (name, digest) in members {
            guard let digest = digest.stringValue else { return nil }
            files[name] = digest
        }
        return files
    }

    /// The first of `files` (relative path → digest) that is missing from `folder` or differs,
    /// or nil when all match. Unchanged files are checked through the digest memo.
    public func changedFile(in folder: String, against files: [String: String]) -> String? {
        files.keys.sorted().first { name in (try? contentDigest(of: folder + "/" + name)) != files[name] }
    }

    /// Copies an entry's files into `destination` (a reflink where the filesystem can, else a
    /// copy): the output shares no storage an edit could reach.
    public func copyEntry(_ entry: String, to destination: String) throws {
        for name in Self.files(in: entry) {
            let target = destination + "/" + name
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try FileClone.cloneOrCopy(from: entry + "/" + name, to: target)
        }
    }

    /// Relative paths of the regular files under `folder`, the entry description and output
    /// markers (which the output folder gets anew) excepted.
    static func files(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var names: [String] = []
        for case let name as String in walker
        where name != entryInfoFile && URL(fileURLWithPath: name).lastPathComponent != OutputPolicy.markerFile {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// The 128-bit content digest of a file. Computing it reads the whole file (about 20 ms for
    /// 64 MB), so it is remembered under the file's identity — device, inode, size and the
    /// nanosecond modification and status-change times, which any write, truncation or
    /// replacement changes. The digest, not the identity, goes into cache keys: results stay keyed
    /// on content, and a copy of the file elsewhere hits the same entries.
    public func contentDigest(of path: String) throws -> String {
        let identity = try Self.identity(of: path)
        if let saved = try? String(contentsOfFile: memoPath(identity), encoding: .utf8) {
            let lines = saved.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 2, lines[0] == identity, lines[1].count == 32 { return String(lines[1]) }
        }
        let digest = try Self.computeDigest(of: path)
        remember(digest, identity: identity)
        return digest
    }

    /// Records that `path`, as it is now, has `digest` (known without reading it, e.g. a copy).
    public func remember(_ digest: String, of path: String) {
        if let identity = try? Self.identity(of: path) { remember(digest, identity: identity) }
    }

    private func remember(_ digest: String, identity: String) {
        // Best effort: a memo that cannot be written only costs the next run a re-read.
        try? FileManager.default.createDirectory(atPath: root + "/digests", withIntermediateDirectories: true)
        try? AtomicOutput.writeFile(Data((identity + "\n" + digest + "\n").utf8), to: memoPath(identity), durable: false)
    }

    private func memoPath(_ identity: String) -> String {
        var name = ContentHasher()
        name.update(identity)
        return root + "/digests/" + name.hexDigest
    }

    private static func identity(of path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw InputError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(path: path))
        }
        // A pipe would be drained by the digest and read empty by the job that follows.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw InputError("this is a folder; a file was expected here", at: SourceLocation(path: path))
            }
            throw InputError("not a regular file (a pipe?): cached results are keyed on the input's content, which needs a second read",
                             at: SourceLocation(path: path), hint: "write it to a file first, e.g. zcat docs.tsv.gz > docs.tsv")
        }
        return "\(info.st_dev)-\(info.st_ino)-\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)-\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// The 128-bit content digest of a file, read in full.
    public static func computeDigest(of path: String) throws -> String {
        try FileDigest.of(path: path)
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
            let info = Self.entryInfo(folder)
            return Entry(key: name, description: info?["description"]?.stringValue ?? "",
                         created: info?["created"]?.stringValue ?? "", bytes: Self.treeSize(folder))
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
            // Only what dsprep put there: entries and temporary folders of runs.
            guard name.hasPrefix(".") || FileManager.default.fileExists(atPath: folder + "/" + Self.entryInfoFile) else { continue }
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
