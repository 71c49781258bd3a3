import DSPrepSupport

/// Writes an Arrow IPC **stream** file that pyarrow (`ipc.open_stream`) and HF `datasets` read:
/// the schema message (with its custom metadata), one RecordBatch message per `write`, and the
/// end-of-stream marker on `finish()`. Column buffers are written straight from their memory,
/// 8-byte aligned, through a bounded buffer: the whole file is never held in memory.
///
/// The file appears at `path` as it is written; callers that need all-or-nothing output write
/// into a temporary directory (as `DatasetWriter` does).
public final class ArrowStreamWriter {
    public let path: String
    public let schema: Schema
    private let output: BufferedFileOutput
    private var finished = false

    /// Bytes written so far, including the schema message.
    public var bytesWritten: Int { output.bytesWritten }

    public convenience init(path: String, schema: Schema, metadata: [String: String] = [:]) throws {
        try self.init(path: path, schema: schema, metadata: metadata, hasher: nil)
    }

    /// A writer that also feeds every byte of the file to `hasher` (read it back after `finish`).
    init(path: String, schema: Schema, metadata: [String: String], hasher: ContentHasher?) throws {
        self.path = path
        self.schema = schema
        output = try BufferedFileOutput(path: path)
        output.hasher = hasher
        let message = FlatBufferBuilder.serialize(.table([
            .int16(ArrowFormat.metadataVersion), .uint8(ArrowFormat.MessageHeader.schema.rawValue),
            .object(ArrowFormat.encodeSchema(schema, metadata: metadata)), .int64(0),
        ]))
        try writeMessage(message, body: [])
    }

    /// Appends one record batch; its schema's types must be the writer's.
    public func write(_ batch: RecordBatch) throws {
        try checkWritable(batch)
        var encoder = RecordBatchEncoder()
        for column in batch.columns { try encoder.append(column) }
        try writeMessage(encoder.message(rowCount: batch.count), body: encoder.buffers)
    }

    /// Appends a record batch by copying the message it was read from. The bytes are those
    /// `write(batch)` gives when this writer wrote the source too (an encoded message does not
    /// depend on where it sits in the stream); a message another writer made (pyarrow pads
    /// differently) stays valid Arrow but keeps that writer's layout.
    public func write(_ encoded: EncodedRecordBatch) throws {
        try checkWritable(encoded.batch)
        try output.write(encoded.messageBytes)
    }

    private func checkWritable(_ batch: RecordBatch) throws {
        guard !finished else { throw InputError("write after finish", at: SourceLocation(path: path)) }
        guard batch.schema.fields.map(\.type) == schema.fields.map(\.type) else {
            throw InputError("a record batch with types \(batch.schema.fields.map(\.type)) does not match the file's \(schema.fields.map(\.type))",
                             at: SourceLocation(path: path))
        }
    }

    /// The hasher given at creation, having seen every byte written.
    var hasher: ContentHasher? { output.hasher }

    /// Writes the end-of-stream marker and closes the file.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try output.write(UInt32(0xFFFF_FFFF))
        try output.write(UInt32(0))
        try output.close()
    }

    /// `[0xFFFFFFFF][i32 metadata size][metadata padded to 8][body buffers, each padded to 8]`.
    private func writeMessage(_ metadata: [UInt8], body: [ByteBuffer]) throws {
        let paddedSize = RecordBatchEncoder.paddedLength(metadata.count)
        try output.write(UInt32(0xFFFF_FFFF))
        try output.write(Int32(paddedSize))
        try output.write(metadata)
        try output.pad(to: 8)
        for buffer in body {
            try output.write(buffer.bytes)
            try output.pad(to: 8)
        }
    }
}
