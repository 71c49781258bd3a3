import Datasets
import Foundation

/// What `dsprep inspect DIR` prints: where the data is, the schema with HF features, the row
/// count, the time the open took, and the first rows aligned.
enum DatasetInspection {
    static func run(_ location: DatasetLocation, rows: Int) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let (dataset, split) = try location.open()
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        if DatasetDict.isDatasetDict(at: location.path) {
            let names = try DatasetDict.splitNames(in: location.path)
            print("splits: \(names.joined(separator: ", ")) (showing \(split ?? ""); choose with --split)")
        }
        print("\(location.path): opened in \(String(format: "%.2f", milliseconds)) ms (memory-mapped)")
        TablePrinter.printSchema(dataset.schema, rows: dataset.count, batches: dataset.table.batches.count)
        for name in dataset.schema.names {
            if let classes = dataset.classLabelNames(of: name) {
                print("  \(name): ClassLabel \(classes.enumerated().map { "\($0.offset)=\($0.element)" }.joined(separator: ", "))")
            }
        }
        if rows > 0 {
            print("")
            TablePrinter.printRows(dataset.table, rows: 0..<min(rows, dataset.count))
        }
    }
}
