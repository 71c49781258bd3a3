import Datasets
import DSPrepSupport
import Foundation
import Tokenizers

extension TokenizePlan {
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
        for split in splits { try split.input.check(shard: index) }
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
            // the job record goes inside the atomic write too: a retried shard then finds a whole earlier output to replace
            reads = try AtomicOutput.writeDirectory(at: out, kind: .dataset) { folder in
                let reads = try splits.map { try write($0, shard: index, tokenizer: tokenizer, into: folder + "/" + TokenizeRun.singleDatasetFolder,
                                                      split: nil, threads: threads, progress: progress) }
                try TokenizeRun.liftSingleDataset(in: folder)
                try recordJob(shard: index, threads: threads, in: folder)
                return reads
            }
        }
        return ShardStats(shard: index, shards: numShards, splits: reads, since: start)
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
        let shard = split.input.shards[index]
        let job = TokenizeJob(tokenizer: tokenizer, options: jobOptions(for: split, threads: threads), ingestOptions: ingest.options)
        let reader = try split.input.reader(shard: index, ingest: ingest)
        let result = try job.write(reader, rows: 0..<shard.rows, firstRowNumber: shard.firstRow, roles: split.roles, labels: split.labels,
                                   into: folder, split: name, progress: progress)
        return SplitRead(split: split.name, input: split.input, shard: index, reader: reader, summary: result.summary)
    }
}
