/// Columns of equal length under one schema: one Arrow record batch.
public struct RecordBatch: Sendable {
    public let schema: Schema
    public let columns: [Column]
    public let count: Int

    public init(schema: Schema, columns: [Column]) {
        precondition(schema.fields.count == columns.count, "schema and columns disagree")
        self.schema = schema
        self.columns = columns
        count = columns.first?.count ?? 0
    }

    public func column(_ name: String) -> Column? { schema.index(of: name).map { columns[$0] } }
}

/// A table made of record batches (possibly from several files), read by global row index.
public struct Table: Sendable {
    public let schema: Schema
    public let batches: [RecordBatch]
    /// `batchStarts[i]` is the global index of batch i's first row; one extra entry = row count.
    private let batchStarts: [Int]

    public init(schema: Schema, batches: [RecordBatch]) {
        self.schema = schema
        self.batches = batches
        var starts = [0]
        starts.reserveCapacity(batches.count + 1)
        for batch in batches { starts.append(starts[starts.count - 1] + batch.count) }
        batchStarts = starts
    }

    public var count: Int { batchStarts[batchStarts.count - 1] }

    /// The batch holding global row `row` and the row's index inside it.
    @inline(__always)
    public func locate(_ row: Int) -> (batch: Int, row: Int) {
        var low = 0
        var high = batches.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if batchStarts[middle] <= row { low = middle } else { high = middle - 1 }
        }
        return (low, row - batchStarts[low])
    }

    public func value(row: Int, column: Int) -> Value {
        let (batch, local) = locate(row)
        return batches[batch].columns[column].value(local)
    }

    public func row(_ row: Int) -> [Value] {
        let (batch, local) = locate(row)
        return batches[batch].columns.map { $0.value(local) }
    }
}
