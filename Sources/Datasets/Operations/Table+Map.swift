import DSPrepSupport
import Foundation

/// New or replaced columns that a batched `map` returns for one input batch.
public struct MappedColumns: Sendable {
    public var fields: [Field]
    public var columns: [Column]

    public init(_ pairs: [(Field, Column)]) {
        fields = pairs.map(\.0)
        columns = pairs.map(\.1)
    }
}

extension Table {
    /// Batched map, like HF `Dataset.map(batched=True)`: `transform` sees batches of at most
    /// `batchRows` rows and returns columns of the same length, which are added to (or replace)
    /// the input's columns, minus `removing`. Batches run on `threads` cores; the output is the
    /// same whatever the thread count, because batch boundaries depend only on `batchRows` and
    /// results are emitted in input order.
    ///
    /// `emit` receives each output batch in order; only a window of `threads × 4` batches is in
    /// flight, so memory stays bounded for tables larger than memory.
    public func mapBatches(
        batchRows: Int = 1000, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        removing: [String] = [], progress: ProgressBar? = nil,
        _ transform: @Sendable (RecordBatch) throws -> MappedColumns,
        emit: (RecordBatch) throws -> Void
    ) throws {
        for name in removing { _ = try columnIndex(name) }
        let kept = schema.fields.indices.filter { !removing.contains(schema.fields[$0].name) }
        let ranges = stride(from: 0, to: count, by: max(batchRows, 1)).map { $0..<min($0 + batchRows, count) }
        let window = max(threads, 1) * 4
        var outputSchema: Schema?
        for windowStart in stride(from: 0, to: ranges.count, by: window) {
            let windowRanges = Array(ranges[windowStart..<min(windowStart + window, ranges.count)])
            let results = try Parallel.map(windowRanges.count, threads: threads) { position -> RecordBatch in
                let input = rowsBatch(windowRanges[position])
                let output = try merge(input, kept: kept, try transform(input), expectedRows: input.count)
                progress?.advance(by: input.count)
                return output
            }
            for batch in results {
                if let outputSchema, outputSchema != batch.schema {
                    throw InputError("map returned columns \(batch.schema.names) with types that differ between batches")
                }
                outputSchema = batch.schema
                try emit(batch)
            }
        }
        progress?.finish()
    }

    /// `mapBatches` collected into a table (for results that fit in memory).
    public func map(
        batchRows: Int = 1000, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        removing: [String] = [], _ transform: @Sendable (RecordBatch) throws -> MappedColumns
    ) throws -> Table {
        var output: [RecordBatch] = []
        try mapBatches(batchRows: batchRows, threads: threads, removing: removing, transform) { output.append($0) }
        guard let first = output.first else {
            // No rows: run the transform on an empty batch to learn the output schema.
            let empty = rowsBatch(0..<0)
            let merged = try merge(empty, kept: schema.fields.indices.filter { !removing.contains(schema.fields[$0].name) },
                                   try transform(empty), expectedRows: 0)
            return Table(schema: merged.schema, batches: [])
        }
        return Table(schema: first.schema, batches: output)
    }

    /// Rows `range` as one record batch (shared when it is exactly one stored batch, else copied).
    func rowsBatch(_ range: Range<Int>) -> RecordBatch {
        if !range.isEmpty {
            let (batch, row) = locate(range.lowerBound)
            if row == 0, batches[batch].count == range.count { return batches[batch] }
        }
        return take(Array(range), batchRows: max(range.count, 1)).batches.first
            ?? RecordBatch(schema: schema, columns: schema.fields.map { ColumnBuilder($0.type).finish() })
    }

    private func merge(_ input: RecordBatch, kept: [Int], _ mapped: MappedColumns, expectedRows: Int) throws -> RecordBatch {
        var fields = kept.map { schema.fields[$0] }
        var columns = kept.map { input.columns[$0] }
        for (field, column) in zip(mapped.fields, mapped.columns) {
            guard column.count == expectedRows else {
                throw InputError("map returned \(column.count) rows for column '\(field.name)' from a batch of \(expectedRows) rows")
            }
            if let existing = fields.firstIndex(where: { $0.name == field.name }) {
                fields[existing] = field
                columns[existing] = column
            } else {
                fields.append(field)
                columns.append(column)
            }
        }
        return RecordBatch(schema: Schema(fields), columns: columns)
    }
}
