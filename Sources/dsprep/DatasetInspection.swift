import Datasets
import Foundation
import Preprocessing
import Tokenizers

/// What `dsprep inspect DIR` prints: where the data is, the schema with HF features, the row
/// count, the time the open took, and the first rows aligned. Token shards also show each row's
/// tokens next to its ids, decoded with the tokenizer that wrote them (or `--tokenizer`).
enum DatasetInspection {
    static func run(path: String, split: String?, rows: Int, tokenizer: (any TextTokenizer)?) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let (dataset, chosen) = try DatasetLocation.open(path: path, split: split)
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        if DatasetDict.isDatasetDict(at: path) {
            let names = try DatasetDict.splitNames(in: path)
            print("splits: \(names.joined(separator: ", ")) (showing \(chosen ?? ""); choose with --split)")
        }
        print("\(path): opened in \(String(format: "%.2f", milliseconds)) ms (memory-mapped)")
        TablePrinter.printSchema(dataset.schema, rows: dataset.count, batches: dataset.table.batches.count)
        for name in dataset.schema.names {
            if let classes = dataset.classLabelNames(of: name) {
                print("  \(name): ClassLabel \(classes.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: ", "))")
            }
        }
        guard rows > 0 else { return }
        print("")
        let shown = 0..<min(rows, dataset.count)
        // input_ids, and a bi-encoder's pair_input_ids
        let idsColumns = ["input_ids", "pair_input_ids"].compactMap { dataset.schema.index(of: $0) }
        guard !idsColumns.isEmpty, let decoder = try tokenizer ?? recordedTokenizer(of: path) else {
            TablePrinter.printRows(dataset.table, rows: shown)
            return
        }
        // Token shards: one block per row, the ids and their tokens one under the other.
        let others = dataset.schema.fields.indices.filter { !idsColumns.contains($0) }
        for row in shown {
            let values = dataset.table.row(row)
            print("#\(row)  " + others.map { "\(dataset.schema.fields[$0].name)=\(TablePrinter.cell(values[$0]).truncated(toWidth: 60))" }
                .joined(separator: "  "))
            for column in idsColumns {
                guard case .list(let ids) = values[column] else { continue }
                let pairs = ids.map { value -> (id: String, token: String) in
                    guard case .int(let id) = value else { return ("?", "?") }
                    return (String(id), decoder.token(of: Int32(truncatingIfNeeded: id)) ?? "<?>")
                }
                let label = idsColumns.count > 1 ? dataset.schema.fields[column].name + ":" : ""
                if !label.isEmpty { print("    " + label) }
                print("    ids:    " + pairs.map { $0.id.rightPadded(to: max($0.id.displayWidth, $0.token.displayWidth)) }.joined(separator: " "))
                print("    tokens: " + pairs.map { $0.token.rightPadded(to: max($0.id.displayWidth, $0.token.displayWidth)) }.joined(separator: " "))
            }
        }
    }

    /// The tokenizer `dsprep tokenize` recorded in the folder's summary, when it still exists.
    static func recordedTokenizer(of path: String) throws -> (any TextTokenizer)? {
        guard let recorded = TokenizeRun.recordedTokenizerPath(in: path), FileManager.default.fileExists(atPath: recorded)
        else { return nil }
        return try TokenizerLoader.load(path: recorded)
    }
}
