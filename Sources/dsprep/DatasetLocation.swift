import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation

/// A dataset folder named on the command line: one dataset, or one split of a collection.
struct DatasetLocation: ParsableArguments {
    @Argument(help: "A dataset folder (HF save_to_disk layout).")
    var path: String

    @Option(help: "The split to use when the folder holds several (default: the first, or 'train').")
    var split: String?

    /// Opens the dataset (memory-mapped) and says which split it is.
    func open() throws -> (dataset: Dataset, split: String?) { try Self.open(path: path, split: split) }

    static func open(path: String, split: String?) throws -> (dataset: Dataset, split: String?) {
        guard DatasetDict.isDatasetDict(at: path) else {
            if let split { throw InputError("--split \(split) given, but this folder holds one dataset", at: SourceLocation(path: path)) }
            return (try Dataset.load(from: path), nil)
        }
        let names = try DatasetDict.splitNames(in: path)
        let chosen = split ?? (names.contains("train") ? "train" : names.first)
        guard let chosen, names.contains(chosen) else {
            throw InputError("no split '\(split ?? "")'", at: SourceLocation(path: path), hint: "splits: \(names.joined(separator: ", "))")
        }
        return (try Dataset.load(from: path + "/" + chosen), chosen)
    }
}
