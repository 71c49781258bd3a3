import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation

/// `dsprep ingest`: raw CSV/TSV/JSON/text files → a dataset folder (HF `save_to_disk` layout).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Convert CSV/TSV/JSONL/JSON/text files into a memory-mapped dataset folder (HF save_to_disk layout).",
        discussion: """
            One input gives one dataset; several inputs (or --split NAME=FILE) give a split collection
            (dataset_dict.json + one folder per split) named after the files: train, validation, test.
            Reads stream through a memory map, so memory stays bounded whatever the file size.
            """)

    @Argument(help: "Input files.")
    var inputs: [String] = []

    @Option(name: .customLong("split"), help: ArgumentHelp("A named split, e.g. train=train.tsv (repeatable).", valueName: "name=file"))
    var splits: [String] = []

    @Option(help: "Output folder: a new or empty folder, or dsprep's earlier dataset output there, which is replaced; anything else is refused.")
    var out: String

    @OptionGroup var input: InputFlags

    @Option(help: "Start a new data file once one reaches this many MB (HF's max_shard_size).")
    var maxShardMB = 500

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        let named = try SplitInputs.resolve(inputs: inputs, splits: splits)
        try OutputPolicy.checkFolder(out, kind: .dataset, inputs: named.map(\.path))
        let options = try input.ingestOptions()
        let start = Date()
        var rows = 0
        if named.count == 1, splits.isEmpty {
            rows = try Self.ingest(named[0].path, into: out, split: nil, options: options, maxShardMB: maxShardMB, quiet: quiet)
        } else {
            try AtomicOutput.writeDirectory(at: out, kind: .dataset) { folder in
                for (name, path) in named {
                    rows += try Self.ingest(path, into: folder + "/" + name, split: name, options: options,
                                            maxShardMB: maxShardMB, quiet: quiet)
                }
                try DatasetDict.writeSplitList(named.map(\.name), in: folder)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(rows) rows to \(out) in \(Formatting.seconds(seconds))")
    }

    /// Streams one file into one dataset folder; returns the row count.
    static func ingest(_ path: String, into folder: String, split: String?, options: IngestOptions, maxShardMB: Int, quiet: Bool) throws -> Int {
        let reader = try TabularReader(path: path, options: options)
        let writer = try DatasetWriter(path: folder, schema: reader.schema, split: split, maxShardBytes: maxShardMB * 1_000_000)
        let progress = ProgressBar("ingest \(URL(fileURLWithPath: path).lastPathComponent)", total: reader.rowCount, quiet: quiet)
        while let batch = try reader.nextBatch(maxRows: Table.defaultBatchRows * 64) {
            try writer.write(batch)
            progress.advance(by: batch.count)
        }
        progress.finish()
        try writer.finish()
        return writer.count
    }
}

/// Which file feeds which split.
enum SplitInputs {
    /// `--split name=file` pairs, else the inputs named after their files (train, validation,
    /// test when the file name says so, else the file's stem).
    static func resolve(inputs: [String], splits: [String]) throws -> [(name: String, path: String)] {
        var named: [(name: String, path: String)] = try splits.map { spec in
            guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, spec.index(after: equals) != spec.endIndex else {
                throw ValidationError("--split expects name=file, got '\(spec)'")
            }
            return (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
        }
        named += inputs.map { (splitName(for: $0), $0) }
        guard !named.isEmpty else { throw ValidationError("give at least one input file") }
        var seen = Set<String>()
        for (name, path) in named {
            // A split name becomes a folder inside --out: the check reading applies, so "../x" cannot leave it.
            try OutputPolicy.checkPlainName(name, what: "split name", at: SourceLocation(path: "--split \(name)=\(path)"))
            if !seen.insert(name).inserted {
                throw ValidationError("two inputs map to the split '\(name)': name them with --split NAME=FILE")
            }
        }
        return named
    }

    static func splitName(for path: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let lower = stem.lowercased()
        if lower.contains("train") { return "train" }
        if lower.contains("valid") || lower.contains("dev") { return "validation" }
        if lower.contains("test") { return "test" }
        return stem
    }
}
