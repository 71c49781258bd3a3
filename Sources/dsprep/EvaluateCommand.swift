import ArgumentParser
import DSPrepSupport
import Foundation
import Training

/// `dsprep evaluate CKPT DATA`: the metrics of a checkpoint on labelled token shards.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Metrics of a trained checkpoint on token shards (accuracy, P/R/F1; or MSE, MAE, Pearson, Spearman).")

    @Argument(help: "A checkpoint folder written by `dsprep train` (checkpoint-N/), or the output folder of a training run (its best checkpoint, else its newest).")
    var checkpoint: String

    @Argument(help: "Token shards with labels (a split folder, or a collection: validation, dev or test split), or a raw CSV/TSV/JSONL file tokenized with the checkpoint's tokenizer.")
    var data: String

    @Option(help: "text (a table of metrics) or json (one JSON object of metrics).")
    var outputFormat: TextOrJSON = .text

    /// `--json`, the earlier spelling of --output-format json.
    @Flag(name: .customLong("json"), help: .private)
    var json = false

    @OptionGroup var reading: CheckpointDataFlags
    @OptionGroup var label: LabelColumnOption

    func run() throws {
        let input = try reading.open(checkpoint: checkpoint, data: data, labels: .required, labelColumn: label.labelColumn)
        guard input.rows.rowCount > 0 else {
            throw InputError("there are no rows to evaluate", at: SourceLocation(path: data), hint: "evaluate on a file or split with rows")
        }
        let metrics = try evaluate(model: input.model, rows: input.rows, batchSize: reading.batchSize, collator: input.collator)
        if json || outputFormat == .json {
            print(MetricsJSON.line(metrics))
        } else {
            let width = metrics.keys.map(\.count).max() ?? 0
            print("\(input.rows.rowCount) rows of \(input.rows.source)")
            for name in metrics.keys.sorted() {
                print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %.4f", metrics[name] ?? .nan))
            }
        }
    }
}
