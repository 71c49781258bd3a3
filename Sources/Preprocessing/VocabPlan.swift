import Datasets
import DSPrepSupport
import Foundation
import Tokenizers

/// Vocabulary training over K shards: `dsprep vocab train INPUT... --plan-out P --num-shards K`
/// plans (one read of each input, `PlannedInput`); `dsprep vocab count --plan P --shard-index I`
/// counts the words of shard I's byte ranges, reading nothing else, into a counts file; and
/// `dsprep vocab merge --plan P COUNTS...` adds the counts in corpus order (each input's shards
/// in turn, as one process reads the inputs) and trains, so the vocabulary file is the one
/// `dsprep vocab train` writes on one machine.
public struct VocabPlan: PlanFile, Sendable {
    public static let formatVersion = 1
    public static let kind = "vocabulary plan"

    public var version = Self.formatVersion
    public var job: VocabJob
    public var ingest: PlannedIngest
    public var numShards: Int
    /// One per input, in the order given.
    public var inputs: [PlannedText]

    public struct PlannedText: Codable, Sendable {
        public var input: PlannedInput
        public var textColumn: String
    }

    public static func makeCommand(_ path: String) -> String {
        "dsprep vocab train INPUT --vocab-size N --plan-out \(path) --num-shards K"
    }

    /// Plans `numShards` shards of each input (files: a dataset folder has no byte ranges).
    public static func make(inputs: [String], job: VocabJob, ingest: IngestOptions = IngestOptions(), numShards: Int) throws -> VocabPlan {
        _ = try job.trainer(threads: 1)  // bad options fail here, not in K shards
        return VocabPlan(job: job, ingest: PlannedIngest(ingest), numShards: numShards, inputs: try inputs.map { path in
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw InputError("a dataset folder cannot be cut into byte ranges", at: SourceLocation(path: path),
                                 hint: "plan the csv, tsv, jsonl or text file it was made from, or train on it in one process")
            }
            let (input, _) = try PlannedInput.plan(path, ingestOptions: ingest, numShards: numShards, distinctCellsOf: { _ in false })
            return PlannedText(input: input, textColumn: try job.textColumn(of: Schema(input.schema), path: path))
        })
    }

    /// What identifies the plan in the counts files made from it: a digest of its contents.
    var identity: String {
        var hasher = ContentHasher()
        hasher.update((try? JSONValueEncoder().text(self, layout: .pythonDumps(indent: nil))) ?? "")
        return hasher.hexDigest
    }

    // MARK: - Counting a shard

    /// Counts the words of shard `index` of every input, after checking its bytes against the
    /// plan, into a counts file at `out` (written whole or not at all).
    public func countShard(_ index: Int, out: String, threads: Int, progress: ProgressBar) throws -> ShardStats {
        defer { progress.finish() }
        guard (0..<numShards).contains(index) else {
            throw InputError("--shard-index \(index) is outside the plan's \(numShards) shards", hint: "give 0...\(numShards - 1)")
        }
        let start = Date()
        for planned in inputs { try planned.input.check(shard: index) }
        var reads: [SplitRead] = []
        var sections: [CountedTexts] = []
        for planned in inputs {
            var trainer = try job.trainer(threads: threads)
            let reader = try planned.input.reader(shard: index, ingest: ingest)
            while let batch = try reader.nextBatch(maxRows: VocabJob.batchRows) {
                try VocabJob.texts(of: batch, column: planned.textColumn, path: planned.input.path) { try trainer.add($0, utf8: $1) }
                progress.advance(by: batch.count)
            }
            sections.append(trainer.counted)
            reads.append(SplitRead(split: planned.input.path, input: planned.input, shard: index, reader: reader, summary: nil))
        }
        try ShardCounts(plan: identity, shard: index, shards: numShards, sections: sections).write(to: out)
        return ShardStats(shard: index, shards: numShards, splits: reads, since: start)
    }

    // MARK: - Training on the counts

    /// Adds the counts of all K shards (files from `countShard`, in any order), input by input
    /// and shard by shard, then trains and writes the vocabulary to `out`. Returns the summary.
    public func merge(counts paths: [String], out: String, threads: Int, quiet: Bool) throws -> String {
        var byShard = [String?](repeating: nil, count: numShards)
        for path in paths {
            let header = try ShardCounts.header(of: path)
            guard header.plan == identity, header.shards == numShards, header.sections == inputs.count else {
                throw InputError("word counts of another plan", at: SourceLocation(path: path),
                                 hint: "count every shard of this plan: dsprep vocab count --plan PLAN --shard-index I")
            }
            if let earlier = byShard[header.shard] {
                throw InputError("shard \(header.shard) is counted twice, here and in \(earlier)", at: SourceLocation(path: path))
            }
            byShard[header.shard] = path
        }
        let missing = byShard.indices.filter { byShard[$0] == nil }
        guard missing.isEmpty else {
            throw InputError("the counts of shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(numShards) are missing",
                             hint: "give the counts file of every shard")
        }
        var trainer = try job.trainer(threads: threads)
        for section in inputs.indices {
            for path in byShard.compactMap({ $0 }) { trainer.add(try ShardCounts.section(section, of: path)) }
        }
        return try trainer.train(writingTo: out, asFile: job.writesFile(out), quiet: quiet)
    }
}

/// A counts file (`dsprep vocab count`): a header naming the plan and the shard, then the words
/// counted in the shard's range of each input (`CountedTexts`).
struct ShardCounts {
    static let magic = Array("dsprep word counts 1\n".utf8)

    struct Header {
        var plan: String
        var shard: Int
        var shards: Int
        var sections: Int
        /// Each section's length in bytes, and where the first starts.
        var lengths: [Int]
        var dataStart: Int
    }

    var plan: String
    var shard: Int
    var shards: Int
    var sections: [CountedTexts]

    /// magic, the plan identity (32 hex digits), then shard, shards, sections and each
    /// section's length (little-endian Int64), then the sections.
    func write(to path: String) throws {
        let encoded = sections.map { $0.encoded() }
        try AtomicOutput.writeFile(to: path) { handle in
            var header = Data(Self.magic + Array(plan.utf8))
            for number in [shard, shards, encoded.count] + encoded.map(\.count) {
                withUnsafeBytes(of: Int64(number).littleEndian) { header.append(contentsOf: $0) }
            }
            try handle.write(contentsOf: header)
            for section in encoded { try handle.write(contentsOf: section) }
        }
    }

    static func header(of path: String) throws -> Header {
        let file = try MappedFile(path: path)
        return try header(of: file.bytes, path: path)
    }

    private static func header(of bytes: UnsafeRawBufferPointer, path: String) throws -> Header {
        let notCounts = InputError("not a word counts file", at: SourceLocation(path: path), hint: "make it with dsprep vocab count")
        let planEnd = magic.count + 32
        guard bytes.count >= planEnd + 24, bytes.starts(with: magic) else { throw notCounts }
        func number(_ index: Int) -> Int {
            Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: planEnd + 8 * index, as: Int64.self)))
        }
        let (shard, shards, sections) = (number(0), number(1), number(2))
        guard shards > 0, (0..<shards).contains(shard), sections >= 0, sections <= (bytes.count - planEnd - 24) / 8 else { throw notCounts }
        let lengths = (0..<sections).map { number(3 + $0) }
        let dataStart = planEnd + 24 + 8 * sections
        guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(dataStart, +) == bytes.count else { throw notCounts }
        return Header(plan: String(decoding: bytes[magic.count..<planEnd], as: UTF8.self), shard: shard, shards: shards,
                      sections: sections, lengths: lengths, dataStart: dataStart)
    }

    /// The counts of input `index` in the file at `path`.
    static func section(_ index: Int, of path: String) throws -> CountedTexts {
        let file = try MappedFile(path: path)
        let header = try header(of: file.bytes, path: path)
        var offset = header.lengths[..<index].reduce(header.dataStart, +)
        let end = offset + header.lengths[index]
        guard let counted = CountedTexts.decode(UnsafeRawBufferPointer(rebasing: file.bytes[..<end]), at: &offset), offset == end else {
            throw InputError("the counts of input \(index + 1) are damaged", at: SourceLocation(path: path),
                             hint: "count the shard again: dsprep vocab count")
        }
        return counted
    }
}
