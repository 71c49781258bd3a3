/// A flatbuffer object to serialize: the Arrow writer describes each metadata message as a small
/// tree of these and hands the root to `FlatBufferBuilder.serialize`.
indirect enum FlatObject {
    /// A table; element i is the field in slot i (nil = absent, the reader's default applies).
    case table([FlatField?])
    case string(String)
    case tables([FlatObject])
    /// A vector of structs whose largest member is 8 bytes (Arrow's FieldNode, Buffer): the raw
    /// little-endian bytes of `count` elements.
    case structs(count: Int, bytes: [UInt8])
}

enum FlatField {
    case bool(Bool)
    case uint8(UInt8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case object(FlatObject)

    /// Bytes the field takes inside its table (a reference is a u32 offset).
    var size: Int {
        switch self {
        case .bool, .uint8: return 1
        case .int16: return 2
        case .int32, .object: return 4
        case .int64: return 8
        }
    }
}

/// Writes a `FlatObject` tree as a flatbuffer.
///
/// Unlike Google's builder, which fills its buffer back to front, this one writes front to back:
/// each table first, its children after it, patching the parent's u32 offsets once a child's
/// position is known. Offsets therefore always point forward, as flatbuffers requires. Every
/// scalar is aligned to its size relative to the buffer start (the Arrow reader's verifier checks
/// alignment), so callers must place the buffer at an 8-byte-aligned position.
struct FlatBufferBuilder {
    private var bytes: [UInt8] = []

    static func serialize(_ root: FlatObject) -> [UInt8] {
        var builder = FlatBufferBuilder()
        builder.append(UInt32(0))
        let rootPosition = builder.write(root)
        builder.patchOffset(at: 0, to: rootPosition)
        builder.pad(to: 8)
        return builder.bytes
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { bytes[position + index] = byte }
        }
    }

    private mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    /// Pads so that `bytes.count + prefix` is a multiple of `alignment`.
    private mutating func pad(to alignment: Int, after prefix: Int) {
        while (bytes.count + prefix) % alignment != 0 { bytes.append(0) }
    }

    private mutating func patchOffset(at position: Int, to target: Int) {
        store(UInt32(target - position), at: position)
    }

    /// Writes `object` (and, after it, everything it references); returns its position.
    private mutating func write(_ object: FlatObject) -> Int {
        switch object {
        case .table(let fields): return writeTable(fields)
        case .string(let text):
            pad(to: 4)
            let position = bytes.count
            append(UInt32(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
            bytes.append(0)
            return position
        case .tables(let elements):
            pad(to: 4)
            let position = bytes.count
            append(UInt32(elements.count))
            let slots = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 4 * elements.count))
            for (index, element) in elements.enumerated() {
                let target = write(element)
                patchOffset(at: slots + 4 * index, to: target)
            }
            return position
        case .structs(let count, let raw):
            pad(to: 8, after: 4)  // the elements after the u32 count start 8-aligned
            let position = bytes.count
            append(UInt32(count))
            bytes.append(contentsOf: raw)
            return position
        }
    }

    private mutating func writeTable(_ fields: [FlatField?]) -> Int {
        // Lay fields out largest first after the 4-byte vtable offset, each aligned to its size.
        let present = fields.indices.filter { fields[$0] != nil }
            .sorted { (fields[$0]?.size ?? 0) > (fields[$1]?.size ?? 0) }
        var fieldOffsets = [Int](repeating: 0, count: fields.count)
        var tableSize = 4
        for slot in present {
            let size = fields[slot]?.size ?? 1
            tableSize = (tableSize + size - 1) / size * size
            fieldOffsets[slot] = tableSize
            tableSize += size
        }
        tableSize = (tableSize + 3) / 4 * 4

        pad(to: 2)
        let vtablePosition = bytes.count
        append(UInt16(4 + 2 * fields.count))
        append(UInt16(tableSize))
        for offset in fieldOffsets { append(UInt16(offset)) }

        pad(to: 8)
        let tablePosition = bytes.count
        append(Int32(tablePosition - vtablePosition))
        bytes.append(contentsOf: repeatElement(0, count: tableSize - 4))
        var children: [(position: Int, object: FlatObject)] = []
        for slot in present {
            let position = tablePosition + fieldOffsets[slot]
            switch fields[slot] {
            case .bool(let value)?: bytes[position] = value ? 1 : 0
            case .uint8(let value)?: bytes[position] = value
            case .int16(let value)?: store(value, at: position)
            case .int32(let value)?: store(value, at: position)
            case .int64(let value)?: store(value, at: position)
            case .object(let object)?: children.append((position, object))
            case nil: break
            }
        }
        for child in children {
            let target = write(child.object)
            patchOffset(at: child.position, to: target)
        }
        return tablePosition
    }
}
