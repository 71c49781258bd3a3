/// Writes rows in record batches of `rowsPerBatch` rows counted from the first row (the grid a
/// single `dsprep tokenize` run writes), from batches read elsewhere: a batch that already is one
/// of the grid's is copied as it was encoded; others wait until together they reach the next
/// grid line and are then cut again. So joining shards whose batches follow the grid (all but
/// the two halves a shard boundary cuts) copies nearly everything, and any other batching still
/// gives the grid's bytes, by encoding.
public struct GridBatchWriter {
    public let writer: DatasetWriter
    public let rowsPerBatch: Int
    /// Rows there will be in all: the last batch may be short.
    public let total: Int
    /// Batches written as they were read, and batches encoded again after joining.
    public private(set) var copiedBatches = 0, encodedBatches = 0
    private var written = 0
    private var pending: [RecordBatch] = []
    private var pendingRows = 0

    public init(writer: DatasetWriter, rowsPerBatch: Int, total: Int) {
        self.writer = writer
        self.rowsPerBatch = rowsPerBatch
        self.total = total
    }

    public mutating func add(_ encoded: EncodedRecordBatch) throws {
        let rows = encoded.batch.count
        guard rows > 0 else { return }
        // with nothing pending, `written` is on the grid
        if pending.isEmpty, rows == rowsPerBatch || written + rows == total {
            try writer.write(encoded)
            written += rows
            copiedBatches += 1
            return
        }
        pending.append(encoded.batch)
        pendingRows += rows
        guard (written + pendingRows) % rowsPerBatch == 0 || written + pendingRows >= total else { return }
        for batch in Table(schema: writer.schema, batches: pending).rebatched(rows: rowsPerBatch) {
            try writer.write(batch)
            encodedBatches += 1
        }
        written += pendingRows
        pending = []
        pendingRows = 0
    }
}
