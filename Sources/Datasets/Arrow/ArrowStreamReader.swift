import DSPrepSupport

/// Reads an Arrow IPC **stream** file (what pyarrow's `ipc.new_stream` and HF `save_to_disk`
/// write; Arrow's random-access file format too) from a memory map. Record batches come out one
/// by one; their column buffers are slices of the map, so nothing is copied and a batch stays
/// valid as long as any column refers to it. Message metadata and offsets are read with `pread`
/// (see `PositionalFile`), so opening touches none of the mapped pages.
///
/// Stream layout: a sequence of encapsulated messages `[0xFFFFFFFF][i32 metadata size]
/// [Message flatbuffer, padded][body]`, first a Schema message, then RecordBatch messages, and
/// finally the end-of-stream marker `[0xFFFFFFFF][0]`. Every offset and length read from the file
/// is checked against the file's size before use: a corrupt or truncated file gives an
/// `InputError` naming the file and the byte offset of the bad message, never a crash.
public final class ArrowStreamReader {
    public let file: MappedFile
    public let schema: Schema
    /// The schema's custom metadata (HF keeps its features under the key `huggingface`).
    public let metadata: [String: String]
    private let input: PositionalFile
    private var position = 0
    private var ended = false

    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws {
        self.file = file
        input = try PositionalFile(file)
        var reader = MessageCursor(file: file, input: input)
        // The random-access "file" format is the same stream after an 8-byte "ARROW1\0\0" magic
        // (its footer, after the end-of-stream marker, is not needed to read it front to back).
        if file.bytes.count >= 8, file.bytes.prefix(6).elementsEqual("ARROW1".utf8) { reader.position = 8 }
        guard let message = try reader.next() else {
            throw InputError("empty Arrow stream: expected a schema message", at: SourceLocation(path: file.path, byteOffset: 0))
        }
        guard message.headerType == ArrowFormat.MessageHeader.schema.rawValue else {
            throw reader.error("the stream starts with a message of type \(message.headerType), expected a schema", message.offset)
        }
        (schema, metadata) = try reader.wrap(message.offset) { try ArrowFormat.decodeSchema(message.header) }
        position = reader.position
    }

    /// The next record batch, or nil at the end of the stream.
    public func next() throws -> RecordBatch? {
        try nextEncoded()?.batch
    }

    /// The next record batch with the bytes of the message it was read from, or nil at the end
    /// of the stream.
    public func nextEncoded() throws -> EncodedRecordBatch? {
        guard !ended else { return nil }
        var reader = MessageCursor(file: file, input: input, position: position)
        guard let message = try reader.next() else {
            ended = true
            return nil
        }
        position = reader.position
        switch ArrowFormat.MessageHeader(rawValue: message.headerType) {
        case .recordBatch:
            var decoder = RecordBatchDecoder(file: file, input: input, schema: schema, message: message)
            let batch = try reader.wrap(message.offset) { try decoder.decode() }
            return EncodedRecordBatch(batch: batch, file: file, message: message.offset..<(message.bodyStart + message.bodyLength))
        case .dictionaryBatch:
            throw reader.error("dictionary batches are not supported", message.offset)
        case .schema:
            throw reader.error("a second schema message in one stream", message.offset)
        default:
            throw reader.error("unsupported Arrow message type \(message.headerType)", message.offset)
        }
    }

    /// All remaining record batches.
    public func readAll() throws -> [RecordBatch] {
        var batches: [RecordBatch] = []
        while let batch = try next() { batches.append(batch) }
        return batches
    }

    /// Reads a whole stream file as a table.
    public static func readTable(path: String) throws -> Table {
        let reader = try ArrowStreamReader(path: path)
        return Table(schema: reader.schema, batches: try reader.readAll())
    }
}

/// A record batch as read from a stream, with the span of its encapsulated message (prefix,
/// metadata and body) in the mapped file, so that a writer can copy the message instead of
/// encoding the batch again (`ArrowStreamWriter.write(_:)`).
public struct EncodedRecordBatch: Sendable {
    public let batch: RecordBatch
    let file: MappedFile
    let message: Range<Int>

    /// The message's bytes, a slice of the map.
    var messageBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[message]) }

    /// Drops the message's pages from memory once it has been copied (the map stays valid).
    func releasePages() { _ = file.releasePages(message) }
}

/// One encapsulated message: its metadata flatbuffer's header table and where its body lies.
struct ArrowMessage {
    let offset: Int
    let headerType: UInt8
    let header: FlatTable
    let bodyStart: Int
    let bodyLength: Int
}

/// Steps through the encapsulated messages of a mapped stream, reading their prefixes and
/// metadata with `pread` (see `PositionalFile`) and checking each against the file size.
struct MessageCursor {
    let file: MappedFile
    let input: PositionalFile
    var position = 0

    func error(_ message: String, _ offset: Int) -> InputError {
        InputError(message, at: SourceLocation(path: file.path, byteOffset: offset))
    }

    /// Runs `body`, turning flatbuffer structure errors into errors that name the file.
    func wrap<T>(_ offset: Int, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as FlatBufferError {
            throw error(failure.description, offset)
        }
    }

    /// The next message, or nil at the end-of-stream marker (or a clean end of file, which
    /// pyarrow accepts too).
    mutating func next() throws -> ArrowMessage? {
        let size = file.bytes.count
        let offset = position
        if offset == size { return nil }
        guard size - offset >= 4 else { throw error("truncated Arrow stream: a partial message prefix", offset) }
        let prefix = try input.read(at: offset, count: min(8, size - offset))
        var metadataStart = offset + 4
        var length = Int(Int32(littleEndian: prefix.bytes.loadUnaligned(as: Int32.self)))
        if length == -1 {
            // 0xFFFFFFFF continuation marker (format ≥ 0.15), then the real length.
            guard prefix.count == 8 else { throw error("truncated Arrow stream: a partial message prefix", offset) }
            length = Int(Int32(littleEndian: prefix.bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
            metadataStart = offset + 8
        }
        if length == 0 { return nil }
        guard length > 0, length <= size - metadataStart else {
            throw error("truncated or corrupt Arrow stream: message metadata of \(length) bytes does not fit the file", offset)
        }
        let metadata = FlatBuffer(try input.read(at: metadataStart, count: length))
        return try wrap(offset) {
            let root = try metadata.rootTable()
            let version: Int16 = try root.scalar(0, default: 0)
            guard version >= ArrowFormat.oldestReadableVersion else {
                throw FlatBufferError("Arrow metadata version V\(version + 1) is too old (V4 or V5 expected)")
            }
            let headerType: UInt8 = try root.scalar(1, default: 0)
            guard let header = try root.table(2) else { throw FlatBufferError("message without a header") }
            let bodyLength = Int(try root.scalar(3, default: Int64(0)))
            let bodyStart = metadataStart + length
            guard bodyLength >= 0, bodyLength <= size - bodyStart else {
                throw error("truncated Arrow stream: a message body of \(bodyLength) bytes runs past the end of the file", offset)
            }
            position = bodyStart + bodyLength
            return ArrowMessage(offset: offset, headerType: headerType, header: header, bodyStart: bodyStart, bodyLength: bodyLength)
        }
    }
}

/// Builds the columns of one RecordBatch message from its field nodes and buffers, walking the
/// schema depth first as the format lays them out, and checking every buffer it uses.
private struct RecordBatchDecoder {
    let file: MappedFile
    let input: PositionalFile
    let schema: Schema
    let message: ArrowMessage
    private var nodeIndex = 0
    private var bufferIndex = 0
    private var nodes: (start: Int, count: Int) = (0, 0)
    private var buffers: (start: Int, count: Int) = (0, 0)

    init(file: MappedFile, input: PositionalFile, schema: Schema, message: ArrowMessage) {
        self.file = file
        self.input = input
        self.schema = schema
        self.message = message
    }

    private var header: FlatTable { message.header }

    mutating func decode() throws -> RecordBatch {
        if try header.table(3) != nil {
            throw FlatBufferError("the record batch body is compressed (lz4/zstd); write it uncompressed (compression=None)")
        }
        let length = Int(try header.scalar(0, default: Int64(0)))
        nodes = try header.vector(1, elementSize: 16) ?? (0, 0)
        buffers = try header.vector(2, elementSize: 16) ?? (0, 0)
        var columns: [Column] = []
        for field in schema.fields {
            let column = try decodeColumn(field.type, path: field.name)
            guard column.count == length else {
                throw FlatBufferError("column '\(field.name)' has \(column.count) rows but its batch \(length)")
            }
            columns.append(column)
        }
        return RecordBatch(schema: schema, columns: columns)
    }

    private mutating func nextNode(_ path: String) throws -> (length: Int, nullCount: Int) {
        guard nodeIndex < nodes.count else { throw FlatBufferError("too few field nodes for column '\(path)'") }
        let position = nodes.start + 16 * nodeIndex
        nodeIndex += 1
        let length = Int(try header.buffer.load(Int64.self, at: position))
        let nullCount = Int(try header.buffer.load(Int64.self, at: position + 8))
        // Every supported type needs at least one bit per row, which bounds `length` sanely.
        guard length >= 0, length <= file.bytes.count * 8 + 8, nullCount >= 0, nullCount <= length else {
            throw FlatBufferError("column '\(path)' has an invalid length \(length) / null count \(nullCount)")
        }
        return (length, nullCount)
    }

    /// The next body buffer (a slice of the map) and its position in the file, checked to hold at
    /// least `minimum` bytes and to lie inside the body. A buffer not aligned for `alignment`
    /// (allowed by the format, never written by pyarrow) is copied into aligned memory.
    private mutating func nextBuffer(_ path: String, minimum: Int, alignment: Int = 1) throws -> (buffer: ByteBuffer, start: Int) {
        guard bufferIndex < buffers.count else { throw FlatBufferError("too few buffers for column '\(path)'") }
        let position = buffers.start + 16 * bufferIndex
        bufferIndex += 1
        let offset = Int(try header.buffer.load(Int64.self, at: position))
        let length = Int(try header.buffer.load(Int64.self, at: position + 8))
        guard offset >= 0, length >= 0, offset <= message.bodyLength, length <= message.bodyLength - offset else {
            throw FlatBufferError("a buffer of column '\(path)' lies outside the message body")
        }
        guard length >= minimum else {
            throw FlatBufferError("a buffer of column '\(path)' has \(length) bytes, expected at least \(minimum)")
        }
        let start = message.bodyStart + offset
        guard start % alignment != 0, length > 0 else { return (ByteBuffer(file, range: start..<(start + length)), start) }
        return (try input.read(at: start, count: length), start)
    }

    private mutating func decodeColumn(_ type: DataType, path: String) throws -> Column {
        let (length, nullCount) = try nextNode(path)
        let bitmapBytes = (length + 7) / 8
        let validityBuffer = try nextBuffer(path, minimum: nullCount > 0 ? bitmapBytes : 0).buffer
        let validity = nullCount > 0 ? validityBuffer : nil
        switch type {
        case .bool:
            let values = try nextBuffer(path, minimum: bitmapBytes).buffer
            return Column(type: type, count: length, nullCount: nullCount, validity: validity, offsets: nil, values: values)
        case .int8, .int16, .int32, .int64, .float32, .float64:
            let width = type.fixedWidth ?? 1
            let values = try nextBuffer(path, minimum: length * width, alignment: width).buffer
            return Column(type: type, count: length, nullCount: nullCount, validity: validity, offsets: nil, values: values)
        case .string, .largeString:
            let (offsets, copy) = try nextOffsets(type, length: length, path: path)
            let data = try nextBuffer(path, minimum: 0).buffer
            try checkOffsets(copy, type: type, length: length, limit: data.count, path: path)
            return Column(type: type, count: length, nullCount: nullCount, validity: validity, offsets: offsets, values: data)
        case .list(let element), .largeList(let element):
            let (offsets, copy) = try nextOffsets(type, length: length, path: path)
            let child = try decodeColumn(element, path: path + ".item")
            try checkOffsets(copy, type: type, length: length, limit: child.count, path: path)
            return Column(type: type, count: length, nullCount: nullCount, validity: validity, offsets: offsets, values: nil,
                          children: [child])
        }
    }

    /// Offsets of a string/list column (an empty column may come with none at all), and a copy
    /// of them to check: read with `pread`, so the check does not map the pages (see
    /// `PositionalFile`).
    private mutating func nextOffsets(_ type: DataType, length: Int, path: String) throws -> (offsets: ByteBuffer, copy: ByteBuffer) {
        let width = type.hasLargeOffsets ? 8 : 4
        let (offsets, start) = try nextBuffer(path, minimum: length == 0 ? 0 : (length + 1) * width, alignment: width)
        guard offsets.count >= width else { return (Self.zeroOffsets, Self.zeroOffsets) }
        return (offsets, try input.read(at: start, count: (length + 1) * width))
    }

    private static let zeroOffsets: ByteBuffer = {
        var zeros = GrowableBuffer(capacity: 8)
        zeros.appendZeros(8)
        return zeros.finish()
    }()

    /// Offsets must start at ≥ 0, never decrease and end within the values (or child rows): the
    /// accessors slice with them, so this is what keeps a corrupt file from reading out of bounds.
    private func checkOffsets(_ offsets: ByteBuffer, type: DataType, length: Int, limit: Int, path: String) throws {
        let valid = type.hasLargeOffsets
            ? Self.offsetsAreValid(offsets.typed(Int64.self, count: length + 1), limit: limit)
            : Self.offsetsAreValid(offsets.typed(Int32.self, count: length + 1), limit: limit)
        guard valid else {
            throw FlatBufferError("column '\(path)' has offsets that decrease or point past its \(limit) values")
        }
    }

    private static func offsetsAreValid<T: FixedWidthInteger>(_ offsets: UnsafeBufferPointer<T>, limit: Int) -> Bool {
        guard var previous = offsets.first, previous >= 0 else { return false }
        for offset in offsets.dropFirst() {
            if offset < previous { return false }
            previous = offset
        }
        return Int(previous) <= limit
    }
}
