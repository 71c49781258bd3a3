import ArgumentParser
import DSPrepSupport
import Foundation
import Training

/// `dsprep predict CKPT DATA --out predictions.csv`: one prediction per row, in row order.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained checkpoint on token shards; writes a CSV in row order.",
        discussion: """
            Classification: index,label_id,label (the most probable class), then the softmax probability of every \
            class, one column per class named by its label. Regression: index,prediction, rounded with --round.
            """)

    @Argument(help: "A checkpoint folder written by `dsprep train` (checkpoint-N/), or the output folder of a training run (its best checkpoint, else its newest).")
    var checkpoint: String

    @Argument(help: "Token shards, or a raw CSV/TSV/JSONL file tokenized with the checkpoint's tokenizer (labels not needed).")
    var data: String

    @Option(help: "Output CSV (an existing file is replaced only with --overwrite).")
    var out: String

    @OptionGroup var overwriteFlag: OverwriteFlag

    @Option(help: "Round regression predictions to this many decimals.")
    var round: Int?

    @OptionGroup var reading: CheckpointDataFlags

    func validate() throws {
        if let round, round < 0 { throw ValidationError("--round must not be negative") }
    }

    func run() throws {
        try OutputPolicy.checkFile(out, inputs: [checkpoint, data], overwrite: overwriteFlag.overwrite)
        let input = try reading.open(checkpoint: checkpoint, data: data, labels: .ignored)
        let rows = input.rows
        let k = input.model.task.outputCount
        var outputs = [Float](repeating: 0, count: rows.rowCount * k)
        for order in rows.lengthSortedBatches(batchSize: reading.batchSize) {
            _ = try input.model.forward(try rows.collate(order, collator: input.collator), training: false)
            let batchOutputs = input.model.outputs
            for (position, row) in order.enumerated() {
                for j in 0..<k { outputs[row * k + j] = batchOutputs[position * k + j] }
            }
        }
        let names = (0..<k).map { id in input.labelNames.flatMap { id < $0.count ? $0[id] : nil } ?? String(id) }
        var csv = k == 1 || input.model.task == .regression ? "index,prediction\n"
            : "index,label_id,label," + names.map(Self.quoted).joined(separator: ",") + "\n"
        for row in 0..<rows.rowCount {
            let values = outputs[(row * k)..<(row * k + k)]
            if input.model.task == .regression {
                let value = Double(values[values.startIndex])
                csv += "\(row)," + (round.map { String(format: "%.\($0)f", value) } ?? String(value)) + "\n"
            } else {
                // argmax (first on ties) and the softmax of every class
                var best = values.startIndex
                for j in values.indices where values[j] > values[best] { best = j }
                let exponentials = values.map { exp(Double($0 - values[best])) }
                let denominator = exponentials.reduce(0, +)
                let id = best - values.startIndex
                csv += "\(row),\(id),\(Self.quoted(names[id])),"
                    + exponentials.map { String(format: "%.6f", $0 / denominator) }.joined(separator: ",") + "\n"
            }
        }
        try OutputPolicy.checkFile(out, inputs: [checkpoint, data], overwrite: overwriteFlag.overwrite)  // again: it may have appeared meanwhile
        try AtomicOutput.writeFile(Data(csv.utf8), to: out)
        print("\(rows.rowCount) predictions → \(out)")
    }

    static func quoted(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
