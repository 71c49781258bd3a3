import DSPrepSupport
import Foundation

/// A table with HF features, as stored in a `save_to_disk` folder: `data-0000i-of-0000N.arrow`
/// (Arrow IPC streams), `dataset_info.json` and `state.json`. `datasets.load_from_disk` reads
/// what `save` writes, and `load` reads what `datasets.save_to_disk` writes.
public struct Dataset: Sendable {
    public var table: Table
    public var features: Features
    /// HF's `_split` (e.g. "train"), when the dataset records one.
    public var split: String?
    public var info: DatasetInfo

    /// - Parameter features: defaults to plain features of the table's types. They must describe
    ///   the table's columns; `save` checks.
    public init(table: Table, features: Features? = nil, split: String? = nil, info: DatasetInfo = DatasetInfo()) {
        self.table = table
        self.features = features ?? Features(inferredFrom: table.schema)
        self.split = split
        self.info = info
    }

    public var schema: Schema { table.schema }
    public var count: Int { table.count }

    /// The class names of a ClassLabel column (nil for other columns).
    public func classLabelNames(of column: String) -> [String]? { features.classLabelNames(of: column) }

    /// Opens a dataset folder by memory-mapping its data files: no column buffer is copied, so
    /// this takes milliseconds whatever the size. Errors name the file at fault.
    public static func load(from path: String) throws -> Dataset {
        if FileManager.default.fileExists(atPath: path + "/" + SaveToDiskFiles.dictionaryFile) {
            let splits = (try? DatasetDict.splitNames(in: path)) ?? []
            throw InputError("this folder holds several splits (\(splits.joined(separator: ", "))), not one dataset",
                             at: SourceLocation(path: path), hint: "open one split's folder, or load it as a DatasetDict")
        }
        let state = try SaveToDiskFiles.readState(folder: path)
        let (savedFeatures, info) = try SaveToDiskFiles.readInfo(folder: path)
        guard !state.dataFiles.isEmpty else {
            throw InputError("\"_data_files\" is empty", at: SourceLocation(path: path + "/" + SaveToDiskFiles.stateFile))
        }
        var schema: Schema?
        var metadata: [String: String] = [:]
        var batches: [RecordBatch] = []
        for name in state.dataFiles {
            let filePath = path + "/" + name
            let reader = try ArrowStreamReader(path: filePath)
            if let schema {
                guard reader.schema.fields.map(\.type) == schema.fields.map(\.type), reader.schema.names == schema.names else {
                    throw InputError("its columns \(describe(reader.schema)) differ from the first file's \(describe(schema))",
                                     at: SourceLocation(path: filePath))
                }
            } else {
                schema = reader.schema
                metadata = reader.metadata
            }
            batches += try reader.readAll()
        }
        let tableSchema = schema ?? Schema([])
        let features = try (savedFeatures ?? featuresFromMetadata(metadata) ?? Features(inferredFrom: tableSchema))
            .matching(tableSchema, location: SourceLocation(path: path + "/" + SaveToDiskFiles.infoFile))
        return Dataset(table: Table(schema: tableSchema, batches: batches), features: features, split: state.split, info: info)
    }

    /// Every record batch of the dataset folder at `path` with its message bytes, file by file in
    /// order (to copy batches instead of encoding them again, as `dsprep merge` does).
    public static func forEachEncodedBatch(in path: String, _ body: (EncodedRecordBatch) throws -> Void) throws {
        for name in try SaveToDiskFiles.readState(folder: path).dataFiles {
            let reader = try ArrowStreamReader(path: path + "/" + name)
            while let encoded = try reader.nextEncoded() { try body(encoded) }
        }
    }

    /// Writes the dataset as a `save_to_disk` folder at `path` (all or nothing), splitting it into
    /// files of about `maxShardBytes`.
    public func save(to path: String, maxShardBytes: Int = DatasetWriter.defaultMaxShardBytes, alongside: [String: Data] = [:]) throws {
        let writer = try DatasetWriter(path: path, schema: schema, features: features, split: split, info: info,
                                       maxShardBytes: maxShardBytes)
        for batch in table.batches { try writer.write(batch) }
        try writer.finish(alongside: alongside)
    }

    /// HF features kept in an Arrow schema's `huggingface` metadata (used when
    /// `dataset_info.json` has none, as HF does).
    private static func featuresFromMetadata(_ metadata: [String: String]) throws -> Features? {
        let location = "huggingface schema metadata"
        guard let text = metadata["huggingface"], let features = try? JSONValue.parse(text, path: location)["info"]?["features"]
        else { return nil }
        return try Features(json: features, location: SourceLocation(path: location))
    }

    private static func describe(_ schema: Schema) -> String {
        "[" + schema.fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "]"
    }
}
