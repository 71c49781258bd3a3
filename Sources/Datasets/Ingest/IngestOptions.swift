import DSPrepSupport

/// The text formats `TabularReader` reads.
public enum IngestFormat: String, CaseIterable, Sendable {
    /// Comma-separated values per RFC 4180 (quoted fields by default).
    case csv
    /// Tab-separated values; no quote processing by default (a bare `"` is an ordinary byte).
    case tsv
    /// JSON Lines: one JSON object per line.
    case jsonl
    /// One JSON array of objects.
    case json
    /// Plain text: one row per line, in a single string column named `text`.
    case text

    /// The format a file's extension names (`.csv .tsv .jsonl .ndjson .json .txt`), if any.
    public static func detect(fromPath path: String) -> IngestFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "jsonl", "ndjson": return .jsonl
        case "json": return .json
        case "txt", "text": return .text
        default: return nil
        }
    }
}

/// How to read a tabular text file. Every setting left nil takes the format's default.
public struct IngestOptions: Sendable {
    /// nil: detected from the file's extension.
    public var format: IngestFormat?
    /// Field separator for csv/tsv; nil: `,` for csv, tab for tsv.
    public var delimiter: UInt8?
    /// Whether `"` starts a quoted field (RFC 4180); nil: on for csv, off for tsv.
    public var quoting: Bool?
    /// Whether the first csv/tsv row names the columns; without one they are `column_0`, `column_1`, ...
    public var hasHeader: Bool
    /// Types forced on named columns; inference is skipped for them.
    public var columnTypes: [ColumnTypeOverride]

    public init(
        format: IngestFormat? = nil, delimiter: UInt8? = nil, quoting: Bool? = nil, hasHeader: Bool = true,
        columnTypes: [ColumnTypeOverride] = []
    ) {
        self.format = format
        self.delimiter = delimiter
        self.quoting = quoting
        self.hasHeader = hasHeader
        self.columnTypes = columnTypes
    }

    /// Parses a delimiter as a user types it: one ASCII character, or `\t` / `tab`.
    public static func parseDelimiter(_ text: String) throws -> UInt8 {
        switch text {
        case "\\t", "tab", "\t": return UInt8(ascii: "\t")
        default:
            let bytes = Array(text.utf8)
            guard bytes.count == 1, let byte = bytes.first, byte < 0x80,
                byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r"), byte != UInt8(ascii: "\"")
            else {
                throw InputError(
                    "invalid delimiter '\(text)': expected one ASCII character other than a quote or line break",
                    hint: "for tab-separated files use \\t")
            }
            return byte
        }
    }
}

/// A `name:type` column type given by the user, e.g. `label:int64`, `score:float32`.
public struct ColumnTypeOverride: Sendable, Equatable {
    public var name: String
    public var type: DataType

    public init(name: String, type: DataType) {
        self.name = name
        self.type = type
    }

    /// The type names an override may use, as the user writes them.
    public static let typeNames: [String: DataType] = [
        "int8": .int8, "int16": .int16, "int32": .int32, "int64": .int64,
        "float32": .float32, "float": .float32, "float64": .float64, "double": .float64,
        "bool": .bool, "string": .string, "large_string": .largeString,
    ]

    /// Parses `name:type`; the name may itself contain `:` (the last one separates the type).
    public init(parsing spec: String) throws {
        guard let colon = spec.lastIndex(of: ":"), colon != spec.startIndex else {
            throw InputError("invalid column type '\(spec)': expected name:type, e.g. label:int64")
        }
        let typeName = spec[spec.index(after: colon)...].lowercased()
        guard let type = Self.typeNames[typeName] else {
            let known = Self.typeNames.keys.sorted().joined(separator: ", ")
            throw InputError("invalid column type '\(spec)': unknown type '\(typeName)'", hint: "types: \(known)")
        }
        self.init(name: String(spec[..<colon]), type: type)
    }
}

/// Options with every default filled in for one file.
struct ResolvedIngestOptions {
    let format: IngestFormat
    let delimiter: UInt8
    let quoting: Bool
    let hasHeader: Bool
    let columnTypes: [ColumnTypeOverride]

    init(_ options: IngestOptions, path: String) throws {
        guard let format = options.format ?? IngestFormat.detect(fromPath: path) else {
            throw InputError(
                "cannot tell the file's format from its name", at: SourceLocation(path: path),
                hint: "give the format: " + IngestFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.format = format
        delimiter = options.delimiter ?? (format == .tsv ? UInt8(ascii: "\t") : UInt8(ascii: ","))
        quoting = options.quoting ?? (format == .csv)
        if delimiter == UInt8(ascii: "\n") || delimiter == UInt8(ascii: "\r") || (quoting && delimiter == UInt8(ascii: "\"")) {
            throw InputError("invalid delimiter byte \(delimiter): a line break or quote cannot separate fields")
        }
        hasHeader = options.hasHeader
        columnTypes = options.columnTypes
        var seen = Set<String>()
        for override in columnTypes where !seen.insert(override.name).inserted {
            throw InputError("column '\(override.name)' is given two types", at: SourceLocation(path: path))
        }
    }

    func overrideType(for name: String) -> DataType? {
        columnTypes.first { $0.name == name }?.type
    }
}
