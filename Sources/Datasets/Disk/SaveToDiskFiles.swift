import DSPrepSupport
import Foundation

/// The descriptive fields of HF's `dataset_info.json`.
public struct DatasetInfo: Hashable, Sendable {
    public var description: String
    public var citation: String
    public var homepage: String
    public var license: String

    public init(description: String = "", citation: String = "", homepage: String = "", license: String = "") {
        self.description = description
        self.citation = citation
        self.homepage = homepage
        self.license = license
    }
}

/// The small JSON files of HF's `save_to_disk` layout, read and written as datasets 5.2.0 does:
///
///     dataset_info.json   {"citation", "description", "features", "homepage", "license"}
///     state.json          {"_data_files": [{"filename": ...}], "_fingerprint", "_format_columns": null,
///                          "_format_kwargs": {}, "_format_type": null, "_output_all_columns": false,
///                          "_split": null or name}
///     dataset_dict.json   {"splits": [names]}   (in the parent folder of one folder per split)
enum SaveToDiskFiles {
    static let infoFile = "dataset_info.json"
    static let stateFile = "state.json"
    static let dictionaryFile = "dataset_dict.json"

    /// `data-00000-of-00003.arrow`, as HF names shards.
    static func dataFileName(index: Int, count: Int) -> String {
        "data-\(fiveDigits(index))-of-\(fiveDigits(count)).arrow"
    }

    private static func fiveDigits(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The JSON object in `path`; errors name the file (and line and column of bad JSON).
    static func readObject(_ path: String) throws -> JSONValue {
        let location = SourceLocation(path: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("missing file: not an HF save_to_disk dataset folder", at: location,
                             hint: "a dataset folder holds data-*.arrow, dataset_info.json and state.json")
        }
        let object = try data.withUnsafeBytes { try JSONValue.parse($0, path: path) }
        guard object.objectValue != nil else { throw InputError("expected a JSON object", at: location) }
        return object
    }

    static func write(_ json: JSONValue, to path: String) throws {
        try Data(json.serialized(.pythonDumps(indent: 2)).utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Files a caller adds beside HF's (dsprep's own records); the names are plain file names.
    static func writeAlongside(_ files: [String: Data], in folder: String) throws {
        for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
            try OutputPolicy.checkPlainName(name, what: "file", at: SourceLocation(path: folder))
            try contents.write(to: URL(fileURLWithPath: folder + "/" + name))
        }
    }

    // MARK: - dataset_info.json

    static func writeInfo(features: Features, info: DatasetInfo, folder: String) throws {
        try write(.object([
            ("citation", .string(info.citation)), ("description", .string(info.description)),
            ("features", features.json), ("homepage", .string(info.homepage)), ("license", .string(info.license)),
        ]), to: folder + "/" + infoFile)
    }

    static func readInfo(folder: String) throws -> (features: Features?, info: DatasetInfo) {
        let path = folder + "/" + infoFile
        let object = try readObject(path)
        let text = { (key: String) in object[key]?.stringValue ?? "" }
        let info = DatasetInfo(description: text("description"), citation: text("citation"),
                               homepage: text("homepage"), license: text("license"))
        guard let features = object["features"], !features.isNull else { return (nil, info) }
        return (try Features(json: features, location: SourceLocation(path: path)), info)
    }

    // MARK: - state.json

    static func writeState(dataFiles: [String], fingerprint: String, split: String?, folder: String) throws {
        try write(.object([
            ("_data_files", .array(dataFiles.map { .object([("filename", .string($0))]) })),
            ("_fingerprint", .string(fingerprint)),
            ("_format_columns", .null),
            ("_format_kwargs", .object([])),
            ("_format_type", .null),
            ("_output_all_columns", .bool(false)),
            ("_split", split.map { .string($0) } ?? .null),
        ]), to: folder + "/" + stateFile)
    }

    static func readState(folder: String) throws -> (dataFiles: [String], fingerprint: String?, split: String?) {
        let path = folder + "/" + stateFile
        let object = try readObject(path)
        guard let entries = object["_data_files"]?.arrayValue else {
            throw InputError("\"_data_files\" must be a list of {\"filename\": ...}", at: SourceLocation(path: path))
        }
        let files = try entries.map { entry -> String in
            guard let name = entry["filename"]?.stringValue else {
                throw InputError("a \"_data_files\" entry without a \"filename\"", at: SourceLocation(path: path))
            }
            try OutputPolicy.checkPlainName(name, what: "data file", at: SourceLocation(path: path))
            return name
        }
        return (files, object["_fingerprint"]?.stringValue, object["_split"]?.stringValue)
    }

    /// HF's `_fingerprint` (16 hex digits), derived from the data files' bytes (fed to `hasher`
    /// as they were written, each followed by its size) so that the same rows always give the
    /// same folder, byte for byte.
    static func fingerprint(_ hasher: ContentHasher) -> String {
        String(hasher.hexDigest.prefix(16))
    }
}
