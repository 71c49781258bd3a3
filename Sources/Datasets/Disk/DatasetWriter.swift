import DSPrepSupport
import Foundation

/// Writes a dataset folder in HF's `save_to_disk` layout batch by batch, with bounded memory.
///
/// Batches go into Arrow stream files; once a file reaches `maxShardBytes` the next batch starts
/// a new one (so a file exceeds the bound by at most one batch). Everything is written in a
/// temporary sibling folder; `finish()` names the files `data-0000i-of-0000N.arrow` now that N
/// is known, writes `dataset_info.json` and `state.json`, and renames the folder into place. A
/// failure, a writer dropped without `finish()`, or a killed process leaves nothing at `path`.
///
///     let writer = try DatasetWriter(path: "out/train", schema: schema)
///     for batch in batches { try writer.write(batch) }
///     try writer.finish()
public final class DatasetWriter {
    /// HF's default `max_shard_size` ("500MB").
    public static let defaultMaxShardBytes = 500_000_000

    public let path: String
    public let schema: Schema
    public let features: Features
    private let split: String?
    private let info: DatasetInfo
    private let maxShardBytes: Int
    private let temporary: String
    private var shard: ArrowStreamWriter?
    /// Sees every data file's bytes, in order, for the content fingerprint.
    private var contentHasher = ContentHasher()
    private var shardNames: [String] = []
    private var done = false
    private var cancelled = false
    /// Rows written so far.
    public private(set) var count = 0

    /// - Parameters:
    ///   - features: HF features of the columns (e.g. ClassLabel names); plain ones when nil.
    ///   - split: the split name recorded in `state.json` (HF's `_split`).
    public init(
        path: String, schema: Schema, features: Features? = nil, split: String? = nil, info: DatasetInfo = DatasetInfo(),
        maxShardBytes: Int = DatasetWriter.defaultMaxShardBytes
    ) throws {
        if let name = schema.duplicateName {
            throw InputError("two columns are named '\(name)'", at: SourceLocation(path: path), hint: "give every column its own name")
        }
        self.path = path
        self.schema = schema
        self.features = try (features ?? Features(inferredFrom: schema)).matching(schema, location: SourceLocation(path: path))
        self.split = split
        self.info = info
        self.maxShardBytes = max(1, maxShardBytes)
        temporary = try AtomicOutput.makeTemporaryDirectory(beside: path)
    }

    deinit {
        if !done { TemporaryOutputs.discard(temporary) }
    }

    public func write(_ batch: RecordBatch) throws {
        try append(rows: batch.count) { try $0.write(batch) }
    }

    /// Appends a batch read from a stream by copying its message (see `ArrowStreamWriter.write(_:)`),
    /// then lets its pages go, so that copying a large dataset keeps memory flat.
    public func write(_ encoded: EncodedRecordBatch) throws {
        try append(rows: encoded.batch.count) { try $0.write(encoded) }
        encoded.releasePages()
    }

    /// Writes one batch into the current file, starting the next file once this one is full.
    private func append(rows: Int, _ write: (ArrowStreamWriter) throws -> Void) throws {
        guard !done else { throw InputError("write after finish", at: SourceLocation(path: path)) }
        do {
            let writer = try currentShard()
            try write(writer)
            count += rows
            if writer.bytesWritten >= maxShardBytes { try closeShard() }
        } catch {
            cancel()
            throw error
        }
    }

    /// Completes the folder and moves it to `path` (replacing dsprep's earlier dataset there, see `OutputPolicy`).
    /// `alongside` are further files (name → contents) that arrive in the folder with the data.
    public func finish(alongside: [String: Data] = [:]) throws {
        guard !cancelled else { throw InputError("the output was abandoned after an earlier error", at: SourceLocation(path: path)) }
        guard !done else { return }
        do {
            if shardNames.isEmpty { _ = try currentShard() }  // an empty dataset still has one file
            try closeShard()
            var finalNames: [String] = []
            for (index, name) in shardNames.enumerated() {
                let finalName = SaveToDiskFiles.dataFileName(index: index, count: shardNames.count)
                try FileManager.default.moveItem(atPath: temporary + "/" + name, toPath: temporary + "/" + finalName)
                finalNames.append(finalName)
            }
            try SaveToDiskFiles.writeInfo(features: features, info: info, folder: temporary)
            try SaveToDiskFiles.writeState(
                dataFiles: finalNames, fingerprint: SaveToDiskFiles.fingerprint(contentHasher), split: split, folder: temporary)
            try SaveToDiskFiles.writeAlongside(alongside, in: temporary)
            try AtomicOutput.replace(path, with: temporary, kind: .dataset)
            done = true
        } catch {
            cancel()
            throw error
        }
    }

    /// Abandons the output: removes the temporary folder.
    public func cancel() {
        done = true
        cancelled = true
        shard = nil
        TemporaryOutputs.discard(temporary)
    }

    private func currentShard() throws -> ArrowStreamWriter {
        if let shard { return shard }
        let name = "shard-\(shardNames.count).arrow"
        let writer = try ArrowStreamWriter(path: temporary + "/" + name, schema: schema, metadata: features.arrowMetadata,
                                           hasher: contentHasher)
        shardNames.append(name)
        shard = writer
        return writer
    }

    private func closeShard() throws {
        guard let writer = shard else { return }
        try writer.finish()
        contentHasher = writer.hasher ?? contentHasher
        contentHasher.update(writer.bytesWritten)
        shard = nil
    }
}
