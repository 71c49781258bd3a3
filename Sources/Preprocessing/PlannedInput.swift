import Datasets
import DSPrepSupport
import Foundation

/// One input file cut into the byte ranges of K shards that seek, found in one read of the file
/// (a tokenize plan and a vocabulary plan share it).
///
/// The reader's first pass checks the UTF-8, types the columns and counts the rows, and in the
/// same pass records where rows start, digests the file in blocks and collects the cells the
/// caller asks for (the labels). Only then is the row count known, and with it each shard's first
/// row (HF's contiguous ranges, `Table.shardRange`): its byte offset is found from the nearest
/// recorded row start, and its range's digest from the block digests; both read again only a
/// little at each boundary (`bytesRead` counts it). A shard maps only its range, checks its
/// digest (`check`) and reads its rows (`reader`).
public struct PlannedInput: Codable, Sendable {
    public var path: String
    public var size: Int
    /// A digest of the shards' digests (together they cover the file) and its size.
    public var digest: String
    public var schema: [Field]
    public var rowCount: Int
    public var shards: [PlannedShard]

    /// The blocks the shards' digests are made of (`BlockDigests`).
    public var digestBlockSize: Int
    /// Bytes of the input the plan read: the whole file once, plus the rows and blocks at the
    /// shard boundaries again.
    public var bytesRead: Int

    /// Rows of shard `index` (0 when the input has fewer shards).
    public func rows(inShard index: Int) -> Int { shards.indices.contains(index) ? shards[index].rows : 0 }

    public struct PlannedShard: Codable, Sendable {
        public var index: Int
        public var firstRow: Int
        public var rows: Int
        /// The bytes the shard maps and digests: the shards' ranges cover the file without gaps
        /// (the first from byte 0, so the header counts; the last to the end).
        public var byteStart: Int
        public var byteEnd: Int
        /// Where its first record starts (after the header for shard 0).
        public var dataStart: Int
        /// `BlockDigests` of the range.
        public var digest: String
    }

    /// Plans `numShards` shards of `path`; returns the plan and the distinct cells of the columns
    /// `distinctCellsOf` accepts, by name.
    static func plan(_ path: String, ingestOptions: IngestOptions, numShards: Int,
                     distinctCellsOf: @escaping (String) -> Bool) throws -> (input: PlannedInput, distinctCells: [String: DistinctCells]) {
        if SpooledInput.isStream(path) {
            throw InputError("a pipe cannot be planned: every shard reads the file again", at: SourceLocation(path: path),
                             hint: "write it to a file on storage every node sees first")
        }
        if (ingestOptions.format ?? IngestFormat.detect(fromPath: path)) == .json {
            throw InputError("a JSON array cannot be split into shards that seek", at: SourceLocation(path: path),
                             hint: "convert it to JSON Lines (one object per line), e.g. jq -c '.[]' in.json > in.jsonl")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let reader = try TabularReader(path: absolute, options: ingestOptions,
                                       gathering: FirstPassRequest(rowStarts: true, blockDigests: true, distinctCellsOf: distinctCellsOf))
        // Shard i covers the bytes from where its first row starts (0 for the first: the header is
        // its) to where the next one's does (the end of the file for the last: trailing blank lines are its).
        let rows = (0..<numShards).map { Table.shardRange(count: reader.rowCount, numShards: numShards, index: $0) }
        let starts = try [0] + rows.dropFirst().map { try reader.rowStart($0.lowerBound) } + [reader.byteCount]
        let shards = try (0..<numShards).map { index in
            PlannedShard(index: index, firstRow: rows[index].lowerBound, rows: rows[index].count,
                         byteStart: starts[index], byteEnd: starts[index + 1],
                         dataStart: index == 0 ? try reader.rowStart(0) : starts[index],
                         digest: reader.digest(of: starts[index]..<starts[index + 1]))
        }
        var whole = ContentHasher()
        for shard in shards { whole.update(shard.digest) }
        whole.update(reader.byteCount)
        let input = PlannedInput(path: absolute, size: reader.byteCount, digest: whole.hexDigest, schema: reader.schema.fields,
                                 rowCount: reader.rowCount, shards: shards, digestBlockSize: reader.digestBlockSize ?? 0,
                                 bytesRead: reader.bytesScanned)
        return (input, reader.distinctCells)
    }

    /// Compares the file's size and the digest of shard `index`'s bytes with the plan (the
    /// shards' digests together cover the whole file), releasing pages behind the read.
    func check(shard index: Int) throws {
        let shard = shards[index]
        let size = try? Self.fileSize(path)
        guard size == self.size else { throw Self.changed(path, detail: size.map { "\($0) bytes, planned \(self.size)" } ?? "missing") }
        let file = try MappedFile(path: path, range: shard.byteStart..<shard.byteEnd, expectedSize: self.size)
        guard BlockDigests.digest(of: file, fileRange: shard.byteStart..<shard.byteEnd, blockSize: digestBlockSize) == shard.digest else {
            throw Self.changed(path, detail: "bytes \(shard.byteStart)..<\(shard.byteEnd), shard \(shard.index), differ")
        }
    }

    static func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The error for a plan's file (an input or the tokenizer) that is no longer what was planned.
    static func changed(_ path: String, detail: String) -> InputError {
        InputError("changed since the plan was made (\(detail))", at: SourceLocation(path: path),
                   hint: "make the plan again and rerun every shard")
    }

    /// A reader of shard `index`'s rows that maps only its bytes (check them first).
    func reader(shard index: Int, ingest: PlannedIngest) throws -> TabularReader {
        let shard = shards[index]
        return try TabularReader(path: path, options: ingest.options, segment: TabularReader.Segment(
            bytes: shard.byteStart..<shard.byteEnd, dataStart: shard.dataStart, fileSize: size, schema: Schema(schema), rowCount: shard.rows))
    }
}

/// How the inputs of a plan are read, as the user gave it (resolved again for the same path).
public struct PlannedIngest: Codable, Sendable {
    public var format: String?
    public var delimiter: UInt8?
    public var quoting: Bool?
    public var hasHeader: Bool

    init(_ options: IngestOptions) {
        format = options.format?.rawValue
        delimiter = options.delimiter
        quoting = options.quoting
        hasHeader = options.hasHeader
    }

    var options: IngestOptions {
        IngestOptions(format: format.flatMap(IngestFormat.init(rawValue:)), delimiter: delimiter, quoting: quoting, hasHeader: hasHeader)
    }
}

/// A plan made by one dsprep process and read by K shard processes: pretty, sorted JSON with a
/// format version, written whole or not at all.
public protocol PlanFile: Codable {
    static var formatVersion: Int { get }
    /// "tokenize plan", "vocabulary plan".
    static var kind: String { get }
    var version: Int { get }
    /// What a user types to make one, for errors: "dsprep tokenize INPUT --plan-out PLAN --num-shards K".
    static func makeCommand(_ path: String) -> String
}

extension PlanFile {
    public func write(to path: String) throws {
        try AtomicOutput.writeFile(Data((try JSONValueEncoder().text(self) + "\n").utf8), to: path)
    }

    public static func read(from path: String) throws -> Self {
        let hint = "make it with " + makeCommand(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the plan", at: SourceLocation(path: path), hint: hint)
        }
        let plan: Self
        do { plan = try JSONValueDecoder().decode(Self.self, from: data, path: path) } catch let error as InputError {
            throw InputError("not a \(kind): \(error.message)", at: error.location ?? SourceLocation(path: path), hint: hint)
        }
        guard plan.version == formatVersion else {
            throw InputError("plan format \(plan.version); this dsprep reads format \(formatVersion)", at: SourceLocation(path: path),
                             hint: "make the plan again with this dsprep binary")
        }
        return plan
    }
}
