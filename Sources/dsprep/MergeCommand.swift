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
            Give the folders in shard order (0, 1, ..., K-1). They must have the same columns and
            features. Rows are rewritten in record batches of \(TokenizeJob.rowsPerRecordBatch) rows counted from the
            first row, exactly as a single run writes them.
            """)

    @Argument(help: "Shard folders, in shard order.")
    var shards: [String]

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Start a new data file once one reaches this many MB.")
    var maxShardMB = 500

    func run() throws {
        if try mergeCollections() { return }  // split collections: MergeCommand+Collections.swift
        guard let firstPath = shards.first else { throw ValidationError("give the shard folders to merge") }
        let datasets = try shards.map { try Dataset.load(from: $0) }
        let first = datasets[0]
        for (path, dataset) in zip(shards, datasets).dropFirst() where dataset.features != first.features {
            throw InputError("its features differ from those of \(firstPath)", at: SourceLocation(path: path),
                             hint: "merge only shards of one tokenize job")
        }
        let table = try Table.concatenate(datasets.map(\.table))
        let writer = try DatasetWriter(path: out, schema: table.schema, features: first.features, split: first.split,
                                       info: first.info, maxShardBytes: maxShardMB * 1_000_000)
        for batch in table.rebatched(rows: TokenizeJob.rowsPerRecordBatch) { try writer.write(batch) }
        try writer.finish()
        print("merged \(shards.count) shards, \(table.count) rows, into \(out)")
    }
}
