extension Table {
    /// The rows in record batches of exactly `rows` rows (the last may be shorter), cut at
    /// multiples of `rows` from the first row. Stored batches that already match are shared.
    ///
    /// This is what makes merged shard outputs byte-identical to a single run: both write the
    /// batches [0, n), [n, 2n), ... of the same rows.
    public func rebatched(rows: Int) -> [RecordBatch] {
        stride(from: 0, to: count, by: max(rows, 1)).map { rowsBatch($0..<min($0 + rows, count)) }
    }
}
