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
            One input gives one dataset; several inputs (or --data-file SPLIT=FILE) give a split collection \
            (dataset_dict.json + one folder per split) named after the files: train, validation, test. Reads stream \
            through a memory map, so memory stays bounded whatever the file size.
            """)

    @OptionGroup var files: InputFiles
    @OptionGroup var output: DatasetOutput
    @OptionGroup var input: InputFlags
    @OptionGroup var quiet: QuietFlag

    func run() throws {
        let named = try files.resolve()
        try output.check(inputs: named.map(\.path))
        let options = try input.ingestOptions()
        let start = Date()
        var rows = 0
        if !files.asCollection {
            rows = try Self.ingest(named[0].path, into: output.out, split: nil, options: options, maxShardBytes: output.maxShardBytes,
                                   quiet: quiet.quiet)
        } else {
            try AtomicOutput.writeDirectory(at: output.out, kind: .dataset) { folder in
                for (name, path) in named {
                    rows += try Self.ingest(path, into: folder + "/" + name, split: name, options: options,
                                            maxShardBytes: output.maxShardBytes, quiet: quiet.quiet)
                }
                try DatasetDict.writeSplitList(named.map(\.name), in: folder)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(rows) rows to \(output.out) in \(Formatting.seconds(seconds))")
    }

    /// Streams one file into one dataset folder; returns the row count.
    static func ingest(_ path: String, into folder: String, split: String?, options: IngestOptions, maxShardBytes: Int, quiet: Bool) throws -> Int {
        let reader = try TabularReader(path: path, options: options)
        let writer = try DatasetWriter(path: folder, schema: reader.schema, split: split, maxShardBytes: maxShardBytes)
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
