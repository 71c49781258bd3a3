/// Column types dsprep stores, a subset of Arrow's, named as Arrow names them.
public indirect enum DataType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case int8, int16, int32, int64
    case float32, float64
    /// UTF-8 with 32-bit offsets (Arrow `utf8`, HF `string`).
    case string
    /// UTF-8 with 64-bit offsets (Arrow `large_utf8`, HF `large_string`).
    case largeString
    /// Variable-length list with 32-bit offsets (Arrow `list<item>`, HF `Sequence`/`List`).
    case list(DataType)
    /// Variable-length list with 64-bit offsets (Arrow `large_list`, HF `LargeList`).
    case largeList(DataType)

    /// Bytes per value for fixed-width types; nil for bool (bit-packed) and variable-width types.
    public var fixedWidth: Int? {
        switch self {
        case .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        case .bool, .string, .largeString, .list, .largeList: return nil
        }
    }

    public var isVariableWidth: Bool {
        switch self {
        case .string, .largeString, .list, .largeList: return true
        default: return false
        }
    }

    /// Whether offsets into the values/child are 64-bit.
    public var hasLargeOffsets: Bool {
        switch self {
        case .largeString, .largeList: return true
        default: return false
        }
    }

    public var elementType: DataType? {
        switch self {
        case .list(let element), .largeList(let element): return element
        default: return nil
        }
    }

    /// Arrow's (pyarrow's) spelling: `int64`, `string`, `list<item: int32>`.
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float32: return "float"
        case .float64: return "double"
        case .string: return "string"
        case .largeString: return "large_string"
        case .list(let element): return "list<item: \(element)>"
        case .largeList(let element): return "large_list<item: \(element)>"
        }
    }
}

public struct Field: Hashable, Sendable {
    public var name: String
    public var type: DataType
    public var nullable: Bool

    public init(_ name: String, _ type: DataType, nullable: Bool = true) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

public struct Schema: Hashable, Sendable {
    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    public var names: [String] { fields.map(\.name) }

    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }

    /// A column name that occurs twice, if any: such a table cannot be written (readers,
    /// dsprep's and HF's, look columns up by name).
    public var duplicateName: String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }
}
