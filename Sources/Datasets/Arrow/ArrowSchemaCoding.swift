/// Arrow IPC metadata (format/Schema.fbs, format/Message.fbs) for the types dsprep stores:
/// `Schema` ↔ flatbuffer tables. Slot numbers are field positions in those .fbs files.
enum ArrowFormat {
    /// `MetadataVersion.V5`, written by Arrow ≥ 1.0; V4 is read too (same layout for our types).
    static let metadataVersion: Int16 = 4
    static let oldestReadableVersion: Int16 = 3

    enum MessageHeader: UInt8 {
        case schema = 1, dictionaryBatch = 2, recordBatch = 3, tensor = 4, sparseTensor = 5
    }

    /// Names of the `Type` union members, indexed by type id, for error messages.
    static let typeNames = [
        "NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time",
        "Timestamp", "Interval", "List", "Struct", "Union", "FixedSizeBinary", "FixedSizeList", "Map",
        "Duration", "LargeBinary", "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView", "Utf8View",
        "ListView", "LargeListView",
    ]

    enum TypeID {
        static let int: UInt8 = 2, floatingPoint: UInt8 = 3, utf8: UInt8 = 5, bool: UInt8 = 6
        static let list: UInt8 = 12, largeUtf8: UInt8 = 20, largeList: UInt8 = 21
    }

    static let supportedTypes = "int8/16/32/64, float32/64, bool, utf8, large_utf8, list, large_list"

    /// Nesting deeper than this is rejected (a hostile schema could otherwise recurse forever).
    static let maximumNesting = 32

    // MARK: - Decoding

    /// Reads a `Schema` table. Errors name the field path (`tokens.item`).
    static func decodeSchema(_ table: FlatTable) throws -> (schema: Schema, metadata: [String: String]) {
        if try table.scalar(0, default: Int16(0)) != 0 {
            throw FlatBufferError("the schema is big-endian; only little-endian Arrow data is supported")
        }
        let fields = try table.tables(1).map { try decodeField($0, parentPath: nil, depth: 0) }
        return (Schema(fields), try decodeMetadata(table, slot: 2))
    }

    static func decodeMetadata(_ table: FlatTable, slot: Int) throws -> [String: String] {
        var metadata: [String: String] = [:]
        for pair in try table.tables(slot) {
            if let key = try pair.string(0) { metadata[key] = try pair.string(1) ?? "" }
        }
        return metadata
    }

    private static func decodeField(_ table: FlatTable, parentPath: String?, depth: Int) throws -> Field {
        let name = try table.string(0) ?? ""
        let path = parentPath.map { "\($0).\(name)" } ?? name
        let unsupported = { (what: String) in
            FlatBufferError("field '\(path)' has Arrow type \(what), which dsprep does not read (it reads \(supportedTypes))")
        }
        guard depth < maximumNesting else { throw FlatBufferError("field '\(path)' is nested more than \(maximumNesting) deep") }
        if try table.table(4) != nil { throw unsupported("dictionary-encoded") }
        let typeID: UInt8 = try table.scalar(2, default: 0)
        let typeTable = try table.table(3)
        let type: DataType
        switch typeID {
        case TypeID.int:
            let bitWidth = try typeTable?.scalar(0, default: Int32(0)) ?? 0
            let signed = try typeTable?.bool(1) ?? false
            switch (bitWidth, signed) {
            case (8, true): type = .int8
            case (16, true): type = .int16
            case (32, true): type = .int32
            case (64, true): type = .int64
            default: throw unsupported("\(signed ? "int" : "uint")\(bitWidth)")
            }
        case TypeID.floatingPoint:
            switch try typeTable?.scalar(0, default: Int16(0)) ?? 0 {
            case 1: type = .float32
            case 2: type = .float64
            default: throw unsupported("float16")
            }
        case TypeID.bool: type = .bool
        case TypeID.utf8: type = .string
        case TypeID.largeUtf8: type = .largeString
        case TypeID.list, TypeID.largeList:
            let children = try table.tables(5)
            guard children.count == 1 else {
                throw FlatBufferError("list field '\(path)' has \(children.count) children, expected 1")
            }
            let element = try decodeField(children[0], parentPath: path, depth: depth + 1).type
            type = typeID == TypeID.list ? .list(element) : .largeList(element)
        default:
            throw unsupported(Int(typeID) < typeNames.count ? typeNames[Int(typeID)] : "#\(typeID)")
        }
        return Field(name, type, nullable: try table.bool(1))
    }

    // MARK: - Encoding

    static func encodeSchema(_ schema: Schema, metadata: [String: String]) -> FlatObject {
        .table([
            .int16(0),  // little-endian
            .object(.tables(schema.fields.map { encodeField(name: $0.name, type: $0.type, nullable: $0.nullable) })),
            metadata.isEmpty ? nil : .object(encodeMetadata(metadata)),
        ])
    }

    static func encodeMetadata(_ metadata: [String: String]) -> FlatObject {
        .tables(metadata.keys.sorted().map { key in
            .table([.object(.string(key)), .object(.string(metadata[key] ?? ""))])
        })
    }

    private static func encodeField(name: String, type: DataType, nullable: Bool) -> FlatObject {
        let typeID: UInt8
        var typeFields: [FlatField?] = []
        var children: [FlatObject] = []
        switch type {
        case .int8, .int16, .int32, .int64:
            typeID = TypeID.int
            typeFields = [.int32(Int32((type.fixedWidth ?? 8) * 8)), .bool(true)]
        case .float32: typeID = TypeID.floatingPoint; typeFields = [.int16(1)]
        case .float64: typeID = TypeID.floatingPoint; typeFields = [.int16(2)]
        case .bool: typeID = TypeID.bool
        case .string: typeID = TypeID.utf8
        case .largeString: typeID = TypeID.largeUtf8
        case .list(let element), .largeList(let element):
            typeID = type.hasLargeOffsets ? TypeID.largeList : TypeID.list
            // pyarrow (and so HF) names a list's element field "item".
            children = [encodeField(name: "item", type: element, nullable: true)]
        }
        return .table([
            .object(.string(name)), .bool(nullable), .uint8(typeID), .object(.table(typeFields)),
            nil, .object(.tables(children)),
        ])
    }
}
