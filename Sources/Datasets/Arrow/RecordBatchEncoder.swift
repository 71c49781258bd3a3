import DSPrepSupport

/// Lays out the body of one RecordBatch message: the field nodes and the buffers of every column,
/// depth first, as the Arrow format orders them. Buffers are referenced, not copied, whenever the
/// column's own buffer already has the exact bytes (always, for columns built by `ColumnBuilder`
/// or read from a file); only a column whose offsets do not start at 0 or a bitmap that does not
/// start on a byte boundary is re-encoded.
struct RecordBatchEncoder {
    private(set) var nodes: [(length: Int, nullCount: Int)] = []
    /// The body's buffers in order; each is written padded to 8 bytes.
    private(set) var buffers: [ByteBuffer] = []

    static func paddedLength(_ length: Int) -> Int { (length + 7) & ~7 }

    var bodyLength: Int { buffers.reduce(0) { $0 + Self.paddedLength($1.count) } }

    mutating func append(_ column: Column) throws {
        try append(column, rows: 0..<column.count)
    }

    /// The metadata flatbuffer of the RecordBatch message for what was appended.
    func message(rowCount: Int) -> [UInt8] {
        var nodeBytes: [UInt8] = []
        for node in nodes {
            appendLittleEndian(Int64(node.length), to: &nodeBytes)
            appendLittleEndian(Int64(node.nullCount), to: &nodeBytes)
        }
        var bufferBytes: [UInt8] = []
        var offset = 0
        for buffer in buffers {
            appendLittleEndian(Int64(offset), to: &bufferBytes)
            appendLittleEndian(Int64(buffer.count), to: &bufferBytes)
            offset += Self.paddedLength(buffer.count)
        }
        let batch = FlatObject.table([
            .int64(Int64(rowCount)),
            .object(.structs(count: nodes.count, bytes: nodeBytes)),
            .object(.structs(count: buffers.count, bytes: bufferBytes)),
        ])
        return FlatBufferBuilder.serialize(.table([
            .int16(ArrowFormat.metadataVersion), .uint8(ArrowFormat.MessageHeader.recordBatch.rawValue),
            .object(batch), .int64(Int64(bodyLength)),
        ]))
    }

    private mutating func append(_ column: Column, rows: Range<Int>) throws {
        let nullCount = countNulls(column, rows)
        nodes.append((rows.count, nullCount))
        buffers.append(nullCount == 0 ? .empty : try bitmap(column.validity, rows, column))
        switch column.type {
        case .bool:
            buffers.append(try bitmap(column.values, rows, column))
        case .int8, .int16, .int32, .int64, .float32, .float64:
            let width = column.type.fixedWidth ?? 1
            buffers.append(try slice(column.values, (rows.lowerBound * width)..<(rows.upperBound * width), column))
        case .string, .largeString:
            let (offsets, values) = try offsetsAndRange(column, rows)
            buffers.append(offsets)
            buffers.append(try slice(column.values, values, column))
        case .list, .largeList:
            let (offsets, elements) = try offsetsAndRange(column, rows)
            buffers.append(offsets)
            guard let child = column.children.first else { throw writeError(column, "a list column without its element column") }
            try append(child, rows: elements)
        }
    }

    private func countNulls(_ column: Column, _ rows: Range<Int>) -> Int {
        if column.nullCount == 0 { return 0 }
        if rows == 0..<column.count { return column.nullCount }
        return rows.reduce(0) { $0 + (column.isNull($1) ? 1 : 0) }
    }

    private func writeError(_ column: Column, _ problem: String) -> InputError {
        InputError("cannot write a \(column.type) column: \(problem)")
    }

    private func slice(_ buffer: ByteBuffer?, _ range: Range<Int>, _ column: Column) throws -> ByteBuffer {
        if range.isEmpty { return .empty }
        guard let buffer, range.upperBound <= buffer.count else {
            throw writeError(column, "its buffer is shorter than its \(column.count) rows")
        }
        return buffer.slice(range)
    }

    /// A bit-packed buffer (validity or bool values) for `rows`, as stored or re-packed.
    private func bitmap(_ buffer: ByteBuffer?, _ rows: Range<Int>, _ column: Column) throws -> ByteBuffer {
        let byteCount = (rows.count + 7) / 8
        if rows.lowerBound == 0, let buffer, buffer.count >= byteCount {
            return try slice(buffer, 0..<byteCount, column)
        }
        guard let buffer, (rows.upperBound + 7) / 8 <= buffer.count else {
            throw writeError(column, "its bitmap is shorter than its \(column.count) rows")
        }
        var packed = GrowableBuffer(capacity: byteCount)
        packed.appendZeros(byteCount)
        for (index, row) in rows.enumerated() where buffer.bit(row) { packed.setBit(index, to: true) }
        return packed.finish()
    }

    /// The offsets buffer for `rows` (rebased to start at 0 when needed) and the range of values
    /// or child rows they cover.
    private func offsetsAndRange(_ column: Column, _ rows: Range<Int>) throws -> (ByteBuffer, Range<Int>) {
        let width = column.type.hasLargeOffsets ? 8 : 4
        guard let offsets = column.offsets, offsets.count >= (rows.upperBound + 1) * width else {
            if column.count == 0 { return (.empty, 0..<0) }
            throw writeError(column, "its offsets are shorter than its \(column.count) rows")
        }
        let offset = { (index: Int) in
            width == 8 ? Int(offsets.load(index, as: Int64.self)) : Int(offsets.load(index, as: Int32.self))
        }
        let first = offset(rows.lowerBound)
        let last = offset(rows.upperBound)
        guard first >= 0, first <= last else { throw writeError(column, "its offsets decrease") }
        if first == 0 && rows.lowerBound == 0 {
            return (try slice(offsets, 0..<((rows.count + 1) * width), column), 0..<last)
        }
        var rebased = GrowableBuffer(capacity: (rows.count + 1) * width)
        for row in rows.lowerBound...rows.upperBound {
            if width == 8 { rebased.append(Int64(offset(row) - first)) } else { rebased.append(Int32(offset(row) - first)) }
        }
        return (rebased.finish(), first..<last)
    }
}

func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}
