import Datasets
import DSPrepSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tokenizers

extension TokenizePlan {
    /// What one planned shard read and wrote, for the launcher's report.
    public struct ShardStats: Codable, Sendable {
        public var shard: Int
        public var shards: Int
        public var rows: Int
        /// Input bytes the shard mapped, digested and parsed (its ranges), of `inputBytes` in all inputs.
        public var bytesRead: Int
        public var inputBytes: Int
        public var splits: [SplitRead]
        /// `rchar` of /proc/self/io: bytes this process read through read(2), which counts the
        /// plan and the tokenizer but not the mapped input (page faults are not reads).
        public var processReadBytes: Int?
        /// Peak resident memory of the process (getrusage), which stays flat as the input grows.
        public var peakResidentBytes: Int
        public var seconds: Double
    }

    /// The shard's part of one input.
    public struct SplitRead: Codable, Sendable {
        public var split: String
        public var rows: Int
        public var byteStart: Int
        public var byteEnd: Int
        public var inputBytes: Int
        /// Bytes the parser consumed from the range's first record on: equals the range less the
        /// header for shard 0 (a test checks it).
        public var parsedBytes: Int
        public var summary: TokenizeSummary
    }

    /// Runs shard `index`: checks the tokenizer and the shard's bytes of every input against the
    /// plan, then tokenizes the shard's rows into a dataset folder at `out` (a split collection
    /// for several inputs), written whole or not at all.
    public func runShard(_ index: Int, out: String, threads: Int, loadTokenizer: (String) throws -> any TextTokenizer,
                         progress: ProgressBar?) throws -> ShardStats {
        guard (0..<numShards).contains(index) else {
            throw InputError("--shard-index \(index) is outside the plan's \(numShards) shards", hint: "give 0...\(numShards - 1)")
        }
        let start = Date()
        try checkTokenizer()
        for split in splits { try Self.checkInput(split.input, split.shards[index]) }
        let tokenizer = try loadTokenizer(tokenizerPath)
        let reads: [SplitRead]
        if asCollection {
            reads = try AtomicOutput.writeDirectory(at: out, kind: .dataset) { folder in
                let reads = try splits.map { try write($0, shard: index, tokenizer: tokenizer, into: folder + "/" + $0.name, split: $0.name,
                                                      threads: threads, progress: progress) }
                try DatasetDict.writeSplitList(splits.map(\.name), in: folder)
                try recordJob(shard: index, threads: threads, in: folder)
                return reads
            }
        } else {
            reads = try splits.map { try write($0, shard: index, tokenizer: tokenizer, into: out, split: nil, threads: threads, progress: progress) }
            try recordJob(shard: index, threads: threads, in: out)
        }
        return ShardStats(shard: index, shards: numShards, rows: reads.reduce(0) { $0 + $1.rows },
                          bytesRead: reads.reduce(0) { $0 + $1.byteEnd - $1.byteStart }, inputBytes: reads.reduce(0) { $0 + $1.inputBytes },
                          splits: reads, processReadBytes: ProcessResources.readBytes(), peakResidentBytes: ProcessResources.peakResidentBytes(),
                          seconds: Date().timeIntervalSince(start))
    }

    /// The job record `dsprep merge` checks, as a `--num-shards` run writes it.
    private func recordJob(shard index: Int, threads: Int, in folder: String) throws {
        guard let first = splits.first else { return }
        try TokenizeRun.writeSummary(in: folder, tokenizerPath: tokenizerPath, options: jobOptions(for: first, threads: threads),
                                     inputs: splits.count, shard: (index, numShards), reports: [])
    }

    /// Tokenizes the shard's rows of one input, reading only its bytes.
    private func write(_ split: PlannedSplit, shard index: Int, tokenizer: any TextTokenizer, into folder: String, split name: String?,
                       threads: Int, progress: ProgressBar?) throws -> SplitRead {
        let shard = split.shards[index]
        let job = TokenizeJob(tokenizer: tokenizer, options: jobOptions(for: split, threads: threads), ingestOptions: ingest.options)
        let segment = TabularReader.Segment(bytes: shard.byteStart..<shard.byteEnd, dataStart: shard.dataStart, fileSize: split.input.size,
                                            schema: Schema(split.schema), rowCount: shard.rows)
        let reader = try TabularReader(path: split.input.path, options: ingest.options, segment: segment)
        let result = try job.write(reader, rows: 0..<shard.rows, roles: split.roles, labels: split.labels, into: folder, split: name,
                                   progress: progress)
        return SplitRead(split: split.name, rows: shard.rows, byteStart: shard.byteStart, byteEnd: shard.byteEnd, inputBytes: split.input.size,
                         parsedBytes: reader.bytesRead - (shard.dataStart - shard.byteStart), summary: result.summary)
    }

    /// Compares the size of an input and the digest of the shard's bytes with the plan (the
    /// shards' digests together cover the whole file).
    static func checkInput(_ input: PlannedFile, _ shard: PlannedShard) throws {
        let size = try? fileSize(input.path)
        guard size == input.size else { throw changed(input.path, detail: size.map { "\($0) bytes, planned \(input.size)" } ?? "missing") }
        let file = try MappedFile(path: input.path, range: shard.byteStart..<shard.byteEnd, expectedSize: input.size)
        guard FileDigest.of(file, range: 0..<file.bytes.count) == shard.digest else {
            throw changed(input.path, detail: "bytes \(shard.byteStart)..<\(shard.byteEnd), shard \(shard.index), differ")
        }
    }
}
