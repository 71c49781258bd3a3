import ArgumentParser
import Datasets
import DSPrepSupport
import Preprocessing
import Foundation

/// `dsprep dataset ...`: the dataset operations, each reading a dataset folder and writing a new one.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Operations on dataset folders: describe, split, shuffle, shard, head, filter, select, rename, concat.",
        subcommands: [Describe.self, Split.self, Shuffle.self, Shard.self, Head.self, Filter.self, Select.self, Rename.self, Concat.self])

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Row count, per-column statistics, label balance and length histograms.")
        @OptionGroup var location: DatasetLocation

        func run() throws {
            let (dataset, split) = try location.open()
            if let split { print("split: \(split)") }
            TablePrinter.printDescription(TableDescription(dataset.table))
        }
    }

    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "train_test_split into a train/test collection, optionally stratified.")
        @OptionGroup var location: DatasetLocation
        @Option(help: "Test set size: a fraction (0.1) or a row count (5000).") var testSize = 0.1
        @Option(name: .customLong("stratify-by-column"), help: "Keep this column's class shares in both sets.") var stratifyBy: String?
        @OptionGroup var seed: SeedOption
        @OptionGroup var output: DatasetOutput

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, _) = try location.open()
            let (train, test) = try dataset.table.trainTestSplit(testSize: testSize, stratifyBy: stratifyBy, seed: seed.seed)
            let splits = [("train", train), ("test", test)].map { name, table -> (name: String, dataset: Dataset) in
                (name, Dataset(table: table, features: dataset.features.selecting(table.schema), split: name, info: dataset.info))
            }
            try DatasetDict(splits).save(to: output.out, maxShardBytes: output.maxShardBytes,
                                        alongside: try TokenizeRun.derivedSummaryFile(of: [location.path]))
            print("wrote train (\(train.count) rows) and test (\(test.count) rows) to \(output.out)")
        }
    }

    struct Shuffle: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rows in a seeded random order.")
        @OptionGroup var location: DatasetLocation
        @OptionGroup var seed: SeedOption
        @OptionGroup var output: DatasetOutput

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            try output.save(dataset.table.shuffled(seed: seed.seed), like: dataset, split: split, from: [location.path])
        }
    }

    struct Shard: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shard SHARD-INDEX of NUM-SHARDS (contiguous row ranges, as HF shard()).")
        @OptionGroup var location: DatasetLocation
        @Option(help: "How many shards the rows are cut into.") var numShards: Int
        @Option(help: "Which shard to keep, 0-based.") var shardIndex: Int?
        /// `--index`, the earlier spelling of --shard-index.
        @Option(name: .customLong("index"), help: .private) var index: Int?
        @Flag(help: "Take every NUM-SHARDS-th row instead of a contiguous range.") var interleaved = false
        @OptionGroup var output: DatasetOutput

        func validate() throws {
            if shardIndex ?? index == nil { throw ValidationError("give --shard-index I, the shard to keep") }
        }

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            let table = try dataset.table.shard(numShards: numShards, index: shardIndex ?? index ?? 0, contiguous: !interleaved)
            try output.save(table, like: dataset, split: split, from: [location.path])
        }
    }

    struct Head: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The first N rows.")
        @OptionGroup var location: DatasetLocation
        @Option(name: .shortAndLong) var n = 1000
        @OptionGroup var output: DatasetOutput

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            try output.save(dataset.table.head(n), like: dataset, split: split, from: [location.path])
        }
    }

    struct Filter: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rows that meet every --where condition (HF filter).",
            discussion: """
                A condition is COLUMN OP VALUE or len(COLUMN) OP N, with OP one of == != < <= > >= and VALUE a number, \
                a quoted string, true, false or null. A ClassLabel column compares by class id or by quoted class name; \
                len counts a list's elements or a string's characters. A null cell is == null and != anything else, \
                and fails every ordering. Examples: --where 'length <= 128' --where "label == 'positive'" \
                --where "len(document) > 0".
                """)
        @OptionGroup var location: DatasetLocation
        @Option(name: .customLong("where"), help: ArgumentHelp("A condition rows must meet (repeatable: all must hold).", valueName: "condition"))
        var conditions: [String] = []
        @OptionGroup var output: DatasetOutput

        func validate() throws {
            if conditions.isEmpty { throw ValidationError("give at least one --where condition") }
        }

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            let tests = try conditions.map { try RowCondition(parsing: $0).test(for: dataset.table.schema, features: dataset.features) }
            let kept = dataset.table.filter { batch, row in tests.allSatisfy { $0(batch, row) } }
            try output.save(kept, like: dataset, split: split, from: [location.path])
            print("kept \(kept.count) of \(dataset.table.count) rows")
        }
    }

    struct Select: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep some columns (--columns) or drop some (--remove).")
        @OptionGroup var location: DatasetLocation
        @Option(help: "Columns to keep, comma-separated, in order.") var columns: String?
        @Option(help: "Columns to remove, comma-separated.") var remove: String?
        @OptionGroup var output: DatasetOutput

        func validate() throws {
            guard (columns == nil) != (remove == nil) else { throw ValidationError("give exactly one of --columns and --remove") }
        }

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            let names = { (list: String) in list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let table = try columns.map { try dataset.table.selectColumns(names($0)) } ?? dataset.table.removeColumns(names(remove ?? ""))
            try output.save(table, like: dataset, split: split, from: [location.path])
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename columns: --rename old=new (repeatable).")
        @OptionGroup var location: DatasetLocation
        @Option(name: .customLong("rename"), help: ArgumentHelp("A column's new name (repeatable).", valueName: "old=new"))
        var renames: [String] = []
        /// `--column old=new`, the earlier spelling of --rename (`--column` is a type override elsewhere).
        @Option(name: .customLong("column"), help: .private) var columnRenames: [String] = []
        @OptionGroup var output: DatasetOutput

        func run() throws {
            try output.check(inputs: [location.path])
            let (dataset, split) = try location.open()
            var table = dataset.table
            var features = dataset.features
            for spec in renames + columnRenames {
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--rename expects old=new, got '\(spec)'") }
                table = try table.renameColumn(parts[0], to: parts[1])
                features = features.renaming(parts[0], to: parts[1])
            }
            try output.save(table, like: Dataset(table: table, features: features, split: split, info: dataset.info), split: split, from: [location.path])
        }
    }

    struct Concat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rows of several datasets with the same columns, one after the other.")
        @Argument(help: "Dataset folders.") var paths: [String]
        @OptionGroup var output: DatasetOutput

        func run() throws {
            try output.check(inputs: paths)
            _ = try TokenizeRun.derivedSummaryFile(of: paths)  // ids of two tokenizers are refused before any work
            let datasets = try paths.map { try Dataset.load(from: $0) }
            guard let first = datasets.first else { throw ValidationError("give at least one dataset folder") }
            try output.save(try Table.concatenate(datasets.map(\.table)), like: first, split: first.split, from: paths)
        }
    }
}
