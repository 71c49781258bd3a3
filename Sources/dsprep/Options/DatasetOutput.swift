import ArgumentParser
import Datasets
import DSPrepSupport
import Preprocessing

/// `--out` and `--max-shard-mb` of the commands that write a dataset folder.
struct DatasetOutput: ParsableArguments {
    @Option(help: "Output folder: a new or empty folder, or dsprep's earlier dataset output there, which is replaced; anything else is refused.")
    var out: String

    @Option(help: "Start a new data file once one reaches this many MB (HF's max_shard_size).")
    var maxShardMB = 500

    var maxShardBytes: Int { maxShardMB * 1_000_000 }

    /// Refuses, before any work, an --out that `OutputPolicy` would not let this run replace.
    func check(inputs: [String]) throws {
        try OutputPolicy.checkFolder(out, kind: .dataset, inputs: inputs)
    }

    /// Saves `table` with `source`'s features and info, and the tokenizer record of the folders
    /// it was made `from` (see `TokenizeRun.derivedSummaryFile`).
    func save(_ table: Table, like source: Dataset, split: String?, from folders: [String]) throws {
        let dataset = Dataset(table: table, features: source.features.selecting(table.schema), split: split, info: source.info)
        try dataset.save(to: out, maxShardBytes: maxShardBytes, alongside: try TokenizeRun.derivedSummaryFile(of: folders))
        print("wrote \(table.count) rows to \(out)")
    }
}
