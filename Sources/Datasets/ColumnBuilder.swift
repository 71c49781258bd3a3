/// Builds a `Column` by appending cells. Typed appends are the fast path; `append(_: Value)`
/// converts and reports values that do not fit the type.
public struct ColumnBuilder {
    public let type: DataType
    public private(set) var count = 0
    public private(set) var nullCount = 0
    private var validity = GrowableBuffer()
    private var offsets = GrowableBuffer()
    private var values = GrowableBuffer()
    private var child: [ColumnBuilder] = []
    /// Running end offset of strings (bytes) or lists (child rows).
    private var end = 0

    public init(_ type: DataType, capacity: Int = 1024) {
        self.type = type
        values = GrowableBuffer(capacity: (type.fixedWidth ?? 1) * max(capacity, 8))
        if type.isVariableWidth {
            offsets = GrowableBuffer(capacity: (type.hasLargeOffsets ? 8 : 4) * (capacity + 1))
            appendOffset()
        }
        if let element = type.elementType { child = [ColumnBuilder(element, capacity: capacity * 4)] }
    }

    private mutating func appendOffset() {
        if type.hasLargeOffsets { offsets.append(Int64(end)) } else { offsets.append(Int32(truncatingIfNeeded: end)) }
    }

    @inline(__always)
    private mutating func markValid() {
        if nullCount > 0 { validity.setBit(count, to: true) }
        count += 1
    }

    public mutating func appendNull() {
        if nullCount == 0 {
            // First null: materialize the bitmap for every earlier (valid) row.
            for row in 0..<count { validity.setBit(row, to: true) }
        }
        validity.setBit(count, to: false)
        nullCount += 1
        switch type {
        case .bool: values.setBit(count, to: false)
        case .string, .largeString, .list, .largeList: appendOffset()
        default: values.appendZeros(type.fixedWidth ?? 0)
        }
        count += 1
    }

    public mutating func append(_ value: Int64) {
        switch type {
        case .int8: values.append(Int8(truncatingIfNeeded: value))
        case .int16: values.append(Int16(truncatingIfNeeded: value))
        case .int32: values.append(Int32(truncatingIfNeeded: value))
        case .int64: values.append(value)
        case .float32: values.append(Float(value))
        case .float64: values.append(Double(value))
        case .bool: values.setBit(count, to: value != 0)
        default: preconditionFailure("integer append to \(type) column")
        }
        markValid()
    }

    public mutating func append(_ value: Double) {
        switch type {
        case .float32: values.append(Float(value))
        case .float64: values.append(value)
        default: preconditionFailure("float append to \(type) column")
        }
        markValid()
    }

    public mutating func append(_ value: Bool) {
        precondition(type == .bool, "bool append to \(type) column")
        values.setBit(count, to: value)
        markValid()
    }

    /// Appends a string cell from UTF-8 bytes (the caller has validated them).
    public mutating func appendString(_ utf8: UnsafeRawBufferPointer) {
        values.append(contentsOf: utf8)
        end += utf8.count
        appendOffset()
        markValid()
    }

    public mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { appendString(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a list cell of fixed-width elements matching the child type.
    public mutating func appendList<T>(_ elements: UnsafeBufferPointer<T>) {
        child[0].appendRaw(UnsafeRawBufferPointer(elements), count: elements.count)
        end += elements.count
        appendOffset()
        markValid()
    }

    public mutating func appendList<T>(_ elements: [T]) {
        elements.withUnsafeBufferPointer { appendList($0) }
    }

    /// Appends `count` already-encoded fixed-width values without validity.
    mutating func appendRaw(_ bytes: UnsafeRawBufferPointer, count newRows: Int) {
        values.append(contentsOf: bytes)
        if nullCount > 0 { for row in count..<(count + newRows) { validity.setBit(row, to: true) } }
        count += newRows
    }

    /// Appends a generic value, converting where it is lossless; throws a message otherwise.
    public mutating func append(_ value: Value) throws {
        switch (value, type) {
        case (.null, _): appendNull()
        case (.bool(let flag), .bool): append(flag)
        case (.int(let number), .int8) where Int8(exactly: number) != nil: append(number)
        case (.int(let number), .int16) where Int16(exactly: number) != nil: append(number)
        case (.int(let number), .int32) where Int32(exactly: number) != nil: append(number)
        case (.int(let number), .int64): append(number)
        case (.int(let number), .float32), (.int(let number), .float64): append(Double(number))
        case (.float(let number), .float32), (.float(let number), .float64): append(number)
        case (.string(let text), .string), (.string(let text), .largeString): append(text)
        case (.list(let elements), .list), (.list(let elements), .largeList):
            for element in elements { try child[0].append(element) }
            end += elements.count
            appendOffset()
            markValid()
        default:
            throw ValueConversionError(value: value, type: type)
        }
    }

    /// Appends row `row` of `column`, which must have the same type.
    public mutating func append(from column: Column, row: Int) {
        precondition(column.type == type, "append from \(column.type) into \(type)")
        if column.isNull(row) { appendNull(); return }
        switch type {
        case .bool: append(column.bool(row))
        case .int8, .int16, .int32, .int64: append(column.integer(row))
        case .float32, .float64: append(column.double(row))
        case .string, .largeString: appendString(column.stringBytes(row))
        case .list(let element), .largeList(let element):
            let range = column.valueRange(row)
            if let width = element.fixedWidth, let source = column.children[0].values, column.children[0].nullCount == 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: source.bytes[(range.lowerBound * width)..<(range.upperBound * width)])
                child[0].appendRaw(bytes, count: range.count)
            } else {
                for index in range { child[0].append(from: column.children[0], row: index) }
            }
            end += range.count
            appendOffset()
            markValid()
        }
    }

    /// The finished column. The builder must not be appended to afterwards (buffers are shared).
    public func finish() -> Column {
        Column(
            type: type, count: count, nullCount: nullCount,
            validity: nullCount > 0 ? validity.finish() : nil,
            offsets: type.isVariableWidth ? offsets.finish() : nil,
            values: type.isVariableWidth && type.elementType != nil ? nil : values.finish(),
            children: child.map { $0.finish() })
    }
}

public struct ValueConversionError: Error, CustomStringConvertible {
    public let value: Value
    public let type: DataType
    public var description: String { "value \(value) does not fit type \(type)" }
}
