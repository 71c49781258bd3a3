/// The type a column has shown so far in the first pass. Empty cells (nulls) do not count;
/// integers and floats together make floats; any other mix makes text.
enum InferredType {
    case unknown, integer, float, bool, text

    @inline(__always)
    mutating func merge(_ kind: CellKind) {
        switch (self, kind) {
        case (_, .empty), (.text, _): return
        case (.unknown, .integer): self = .integer
        case (.unknown, .float), (.integer, .float), (.float, .integer): self = .float
        case (.unknown, .bool): self = .bool
        case (.integer, .integer), (.float, .float), (.bool, .bool): return
        default: self = .text
        }
    }

    /// A column with nothing but nulls is a string column.
    var dataType: DataType {
        switch self {
        case .integer: return .int64
        case .float: return .float64
        case .bool: return .bool
        case .unknown, .text: return .string
        }
    }
}
