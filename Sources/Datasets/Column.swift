/// One column of one record batch, laid out as Arrow lays it out: an optional validity bitmap,
/// offsets for variable-width types, a values buffer, and a child column for lists. Buffers may
/// point into a memory-mapped file; reading a row of a list column is a slice, not a copy.
public struct Column: Sendable {
    public let type: DataType
    public let count: Int
    public let nullCount: Int
    /// Bit-packed, 1 = valid. nil when the column has no nulls.
    public let validity: ByteBuffer?
    /// `count + 1` Int32 (or Int64 for large types) offsets for strings and lists.
    public let offsets: ByteBuffer?
    /// Fixed-width values, bool bits, or UTF-8 bytes for strings.
    public let values: ByteBuffer?
    /// The element column of a list.
    public let children: [Column]

    public init(
        type: DataType, count: Int, nullCount: Int, validity: ByteBuffer?, offsets: ByteBuffer?,
        values: ByteBuffer?, children: [Column] = []
    ) {
        self.type = type
        self.count = count
        self.nullCount = nullCount
        self.validity = nullCount == 0 ? nil : validity
        self.offsets = offsets
        self.values = values
        self.children = children
    }

    @inline(__always)
    public func isNull(_ row: Int) -> Bool {
        guard let validity else { return false }
        return !validity.bit(row)
    }

    /// Start and end of row `row` in the values (strings) or child (lists).
    @inline(__always)
    public func valueRange(_ row: Int) -> Range<Int> {
        guard let offsets else { return 0..<0 }
        if type.hasLargeOffsets {
            return Int(offsets.load(row, as: Int64.self))..<Int(offsets.load(row + 1, as: Int64.self))
        }
        return Int(offsets.load(row, as: Int32.self))..<Int(offsets.load(row + 1, as: Int32.self))
    }

    /// Any integer type as Int64.
    @inline(__always)
    public func integer(_ row: Int) -> Int64 {
        guard let values else { return 0 }
        switch type {
        case .int8: return Int64(values.load(row, as: Int8.self))
        case .int16: return Int64(values.load(row, as: Int16.self))
        case .int32: return Int64(values.load(row, as: Int32.self))
        case .int64: return values.load(row, as: Int64.self)
        case .bool: return values.bit(row) ? 1 : 0
        case .float32: return Int64(values.load(row, as: Float.self))
        case .float64: return Int64(values.load(row, as: Double.self))
        default: return 0
        }
    }

    /// Any numeric type as Double.
    @inline(__always)
    public func double(_ row: Int) -> Double {
        guard let values else { return 0 }
        switch type {
        case .float32: return Double(values.load(row, as: Float.self))
        case .float64: return values.load(row, as: Double.self)
        default: return Double(integer(row))
        }
    }

    @inline(__always)
    public func bool(_ row: Int) -> Bool {
        guard let values else { return false }
        return type == .bool ? values.bit(row) : integer(row) != 0
    }

    /// The UTF-8 bytes of a string cell, pointing into the column's buffer.
    @inline(__always)
    public func stringBytes(_ row: Int) -> UnsafeRawBufferPointer {
        guard let values else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let range = valueRange(row)
        return UnsafeRawBufferPointer(rebasing: values.bytes[range])
    }

    public func string(_ row: Int) -> String {
        String(decoding: stringBytes(row), as: UTF8.self)
    }

    /// The elements of a list cell as a typed slice of the child's values (no copy). `T` must
    /// match the child's fixed-width type.
    @inline(__always)
    public func listElements<T>(_ row: Int, as: T.Type) -> UnsafeBufferPointer<T> {
        let range = valueRange(row)
        guard let child = children.first, let values = child.values, let base = values.bytes.baseAddress,
            !range.isEmpty
        else { return UnsafeBufferPointer(start: nil, count: 0) }
        let typedBase = base.assumingMemoryBound(to: T.self)
        return UnsafeBufferPointer(start: typedBase + range.lowerBound, count: range.count)
    }

    /// Number of elements in a list cell or bytes in a string cell.
    @inline(__always)
    public func valueLength(_ row: Int) -> Int { valueRange(row).count }

    /// Characters (Unicode scalars, as Python's `len` counts them) in a string cell: every scalar
    /// has exactly one byte that is not a continuation byte (10xxxxxx).
    public func characterCount(_ row: Int) -> Int {
        var count = 0
        for byte in stringBytes(row) where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// A generic copy of one cell.
    public func value(_ row: Int) -> Value {
        if isNull(row) { return .null }
        switch type {
        case .bool: return .bool(bool(row))
        case .int8, .int16, .int32, .int64: return .int(integer(row))
        case .float32, .float64: return .float(double(row))
        case .string, .largeString: return .string(string(row))
        case .list, .largeList:
            guard let child = children.first else { return .list([]) }
            return .list(valueRange(row).map { child.value($0) })
        }
    }
}
