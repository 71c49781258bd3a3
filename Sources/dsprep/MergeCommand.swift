import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation
import Preprocessing

/// `dsprep merge`: the folders that `tokenize --num-shards K --shard-index I` wrote (one per
/// process, on any cluster) → one dataset, byte-identical to a single run over the whole input.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard folders (in shard order) into one dataset, identical to a single run.",
        discussion: """
            Give the folders in shard order (0, 1, ..., K-1). They must have the same columns and features. Rows are \
            written in record batches of \(TokenizeJob.rowsPerRecordBatch) rows counted from the first row, exactly \
            as a single run writes them: the shards' batches are copied as they are, and only the two halves of a \
            batch that a shard boundary cuts are joined and encoded again.
            """)

    @Argument(help: "Shard folders, in shard order.")
    var shards: [String]

    @OptionGroup var output: DatasetOutput

    func run() throws {
        if try mergeCollections() { return }  // split collections: MergeCommand+Collections.swift
        guard let firstPath = shards.first else { throw ValidationError("give the shard folders to merge") }
        try output.check(inputs: shards)
        try Self.checkShardsOfOneJob(shards)
        let datasets = try shards.map { try Dataset.load(from: $0) }
        let first = datasets[0]
        for (path, dataset) in zip(shards, datasets).dropFirst() where dataset.features != first.features {
            throw InputError("its features differ from those of \(firstPath)", at: SourceLocation(path: path),
                             hint: "merge only shards of one tokenize job")
        }
        let total = datasets.reduce(0) { $0 + $1.count }
        let writer = try DatasetWriter(path: output.out, schema: first.schema, features: first.features, split: first.split,
                                       info: first.info, maxShardBytes: output.maxShardBytes)
        var grid = GridBatchWriter(writer: writer, rowsPerBatch: TokenizeJob.rowsPerRecordBatch, total: total)
        for path in shards { try Dataset.forEachEncodedBatch(in: path) { try grid.add($0) } }
        try writer.finish()
        print("merged \(shards.count) shards, \(total) rows, into \(output.out) (\(grid.copiedBatches) record batches copied, \(grid.encodedBatches) joined)")
    }

    /// Each folder must come from the same tokenize job (tokenizer bytes, options) as shard i of
    /// the same K, given in order: otherwise the result is not what a single run would write.
    static func checkShardsOfOneJob(_ shards: [String]) throws {
        let records = try shards.map { path -> TokenizeRun.JobRecord in
            guard let record = TokenizeRun.recordedJob(in: path), record.shardCount != nil else {
                throw InputError("not a shard folder written by `dsprep tokenize --num-shards K --shard-index I`", at: SourceLocation(path: path),
                                 hint: "merge joins such folders; to append other datasets use `dsprep dataset concat`")
            }
            return record
        }
        for (position, (path, record)) in zip(shards, records).enumerated() {
            if record.tokenizerDigest != records[0].tokenizerDigest {
                throw InputError("it was tokenized with another tokenizer than \(shards[0])", at: SourceLocation(path: path),
                                 hint: "merge only shards of one tokenize job")
            }
            if record.options != records[0].options || record.inputs != records[0].inputs {
                throw InputError("it was tokenized with other options than \(shards[0]) (\(record.options) vs \(records[0].options))",
                                 at: SourceLocation(path: path), hint: "merge only shards of one tokenize job")
            }
            if record.shardCount != shards.count || record.shardIndex != position {
                throw InputError("this is shard \(record.shardIndex ?? 0) of \(record.shardCount ?? 0), given as shard \(position) of \(shards.count)",
                                 at: SourceLocation(path: path), hint: "give all the shards of the job, in order 0, 1, ..., K-1")
            }
        }
    }
}
