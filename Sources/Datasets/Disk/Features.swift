import DSPrepSupport

/// What HF `datasets` calls a feature: the meaning of a column on top of its Arrow type. Written
/// to `dataset_info.json` and the Arrow schema's `huggingface` metadata in HF's own JSON, e.g.
/// `{"dtype": "int64", "_type": "Value"}` or `{"names": ["neg", "pos"], "_type": "ClassLabel"}`.
public indirect enum Feature: Hashable, Sendable {
    /// HF `Value(dtype)`: a scalar of a non-list type.
    case value(DataType)
    /// HF `ClassLabel(names)`: int64 class ids with a name each.
    case classLabel(names: [String])
    /// HF `List(feature)` (written as `Sequence` by datasets < 4): Arrow `list`.
    case list(Feature)
    /// HF `LargeList(feature)`: Arrow `large_list`.
    case largeList(Feature)

    /// The Arrow type the feature is stored as.
    public var dataType: DataType {
        switch self {
        case .value(let type): return type
        case .classLabel: return .int64
        case .list(let element): return .list(element.dataType)
        case .largeList(let element): return .largeList(element.dataType)
        }
    }

    /// The plain feature of a type (what HF infers from an Arrow schema without metadata).
    public init(inferredFrom type: DataType) {
        switch type {
        case .list(let element): self = .list(Feature(inferredFrom: element))
        case .largeList(let element): self = .largeList(Feature(inferredFrom: element))
        default: self = .value(type)
        }
    }

    /// HF's dtype name of a scalar type.
    static func dtype(of type: DataType) -> String? {
        switch type {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .string: return "string"
        case .largeString: return "large_string"
        case .list, .largeList: return nil
        }
    }

    private static func type(ofDtype dtype: String) -> DataType? {
        switch dtype {
        case "bool": return .bool
        case "int8": return .int8
        case "int16": return .int16
        case "int32": return .int32
        case "int64": return .int64
        case "float32", "float": return .float32
        case "float64", "double": return .float64
        case "string": return .string
        case "large_string": return .largeString
        default: return nil
        }
    }

    var json: JSONValue {
        switch self {
        case .value(let type):
            return .object([("dtype", .string(Self.dtype(of: type) ?? type.description)), ("_type", .string("Value"))])
        case .classLabel(let names):
            return .object([("names", .array(names.map { .string($0) })), ("_type", .string("ClassLabel"))])
        case .list(let element):
            return .object([("feature", element.json), ("_type", .string("List"))])
        case .largeList(let element):
            return .object([("feature", element.json), ("_type", .string("LargeList"))])
        }
    }

    /// Parses HF's JSON for one feature; `column` and `location` name it in errors.
    init(json: JSONValue, column: String, location: SourceLocation) throws {
        let unsupported = { (what: String) in
            InputError("column '\(column)' has the HF feature \(what), which dsprep does not support", at: location)
        }
        guard let kind = json["_type"]?.stringValue else {
            throw InputError("column '\(column)': a feature must be an object with a \"_type\"", at: location)
        }
        switch kind {
        case "Value":
            let dtype = json["dtype"]?.stringValue ?? "?"
            guard let type = Self.type(ofDtype: dtype) else { throw unsupported("Value(\"\(dtype)\")") }
            self = .value(type)
        case "ClassLabel":
            guard let list = json["names"]?.arrayValue, case let names = list.compactMap(\.stringValue), names.count == list.count else {
                throw InputError("column '\(column)': ClassLabel without a \"names\" list", at: location)
            }
            self = .classLabel(names: names)
        case "List", "Sequence", "LargeList":
            if let length = json["length"]?.intValue, length != -1 { throw unsupported("\(kind) of fixed length \(length)") }
            guard let element = json["feature"] else {
                throw InputError("column '\(column)': \(kind) without a \"feature\"", at: location)
            }
            let feature = try Feature(json: element, column: column, location: location)
            self = kind == "LargeList" ? .largeList(feature) : .list(feature)
        default:
            throw unsupported(kind)
        }
    }
}

/// The features of every column, in column order.
public struct Features: Hashable, Sendable {
    public private(set) var names: [String]
    public private(set) var features: [Feature]

    public init(_ entries: [(name: String, feature: Feature)]) {
        names = entries.map(\.name)
        features = entries.map(\.feature)
    }

    /// Plain features for every column of `schema`.
    public init(inferredFrom schema: Schema) {
        self.init(schema.fields.map { ($0.name, Feature(inferredFrom: $0.type)) })
    }

    public subscript(name: String) -> Feature? {
        names.firstIndex(of: name).map { features[$0] }
    }

    /// The class names of a ClassLabel column (nil for other columns).
    public func classLabelNames(of column: String) -> [String]? {
        if case .classLabel(let names)? = self[column] { return names }
        return nil
    }

    /// Checks that the features describe exactly the columns and types of `schema`, and returns
    /// them in the schema's column order (HF does the same on load).
    func matching(_ schema: Schema, location: SourceLocation) throws -> Features {
        guard Set(names) == Set(schema.names), names.count == schema.fields.count else {
            throw InputError("the features name columns \(names), the data has \(schema.names)", at: location)
        }
        return Features(try schema.fields.map { field in
            let feature = self[field.name] ?? .value(field.type)
            guard feature.dataType == field.type else {
                throw InputError("column '\(field.name)' is stored as \(field.type) but its feature says \(feature.dataType)",
                                 at: location)
            }
            return (field.name, feature)
        })
    }

    var json: JSONValue {
        .object(zip(names, features).map { ($0, $1.json) })
    }

    /// Parses a `features` object, in its key order (`matching` puts them in the data's column order).
    init(json: JSONValue, location: SourceLocation) throws {
        guard let members = json.objectValue else {
            throw InputError("\"features\" must be an object mapping column names to features", at: location)
        }
        self.init(try members.map { name, feature in (name, try Feature(json: feature, column: name, location: location)) })
    }

    /// The `huggingface` Arrow schema metadata HF writes: `{"info": {"features": {...}}}`.
    var arrowMetadata: [String: String] {
        ["huggingface": JSONValue.object([("info", .object([("features", json)]))]).serialized(.pythonDumps(indent: nil))]
    }
}
