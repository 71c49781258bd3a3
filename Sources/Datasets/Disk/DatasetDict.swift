import DSPrepSupport
import Foundation

/// Named splits, stored as HF's `DatasetDict.save_to_disk` stores them: `dataset_dict.json`
/// (`{"splits": ["train", "test"]}`) and one dataset folder per split.
public struct DatasetDict: Sendable {
    public private(set) var names: [String]
    public private(set) var datasets: [Dataset]

    public init(_ splits: [(name: String, dataset: Dataset)]) {
        names = splits.map(\.name)
        datasets = splits.map(\.dataset)
    }

    public subscript(name: String) -> Dataset? {
        names.firstIndex(of: name).map { datasets[$0] }
    }

    /// Whether `path` is a split collection folder (has a `dataset_dict.json`).
    public static func isDatasetDict(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/" + SaveToDiskFiles.dictionaryFile)
    }

    /// The split names listed in `path/dataset_dict.json`.
    public static func splitNames(in path: String) throws -> [String] {
        let file = path + "/" + SaveToDiskFiles.dictionaryFile
        guard let list = try SaveToDiskFiles.readObject(file)["splits"]?.arrayValue, case let names = list.compactMap(\.stringValue),
              names.count == list.count else {
            throw InputError("expected {\"splits\": [names]}", at: SourceLocation(path: file))
        }
        for name in names { try OutputPolicy.checkPlainName(name, what: "split", at: SourceLocation(path: file)) }
        return names
    }

    /// Opens every split (memory-mapped, see `Dataset.load`).
    public static func load(from path: String) throws -> DatasetDict {
        DatasetDict(try splitNames(in: path).map { ($0, try Dataset.load(from: path + "/" + $0)) })
    }

    /// Writes all splits at `path`, all or nothing.
    /// `alongside` are further files (name → contents) written at the top of the collection.
    public func save(to path: String, maxShardBytes: Int = DatasetWriter.defaultMaxShardBytes, alongside: [String: Data] = [:]) throws {
        for name in names { try OutputPolicy.checkPlainName(name, what: "split", at: SourceLocation(path: path)) }
        try AtomicOutput.writeDirectory(at: path, kind: .dataset) { folder in
            for (name, dataset) in zip(names, datasets) {
                try dataset.save(to: folder + "/" + name, maxShardBytes: maxShardBytes)
            }
            try Self.writeSplitList(names, in: folder)
            try SaveToDiskFiles.writeAlongside(alongside, in: folder)
        }
    }

    /// Writes `dataset_dict.json`, for callers that write split folders themselves (e.g. with a
    /// `DatasetWriter` per split inside `AtomicOutput.writeDirectory`).
    public static func writeSplitList(_ names: [String], in folder: String) throws {
        for name in names { try OutputPolicy.checkPlainName(name, what: "split", at: SourceLocation(path: folder)) }
        let json = JSONValue.object([("splits", .array(names.map { .string($0) }))])
        try Data(json.serialized(.pythonDumps(indent: nil)).utf8).write(to: URL(fileURLWithPath: folder + "/" + SaveToDiskFiles.dictionaryFile))
    }
}
