import DSPrepSupport
import Foundation

extension Table {
    /// A digest of the table's schema and every buffer's bytes: equal tables (same columns, same
    /// values, same batch boundaries) give equal digests, wherever their bytes live.
    public func contentFingerprint() -> String {
        var hasher = ContentHasher()
        for field in schema.fields {
            hasher.update(field.name)
            hasher.update(field.type.description)
        }
        func add(_ column: Column) {
            hasher.update(column.count)
            hasher.update(column.nullCount)
            for buffer in [column.validity, column.offsets, column.values] {
                hasher.update(buffer?.count ?? -1)
                if let buffer { hasher.update(buffer.bytes) }
            }
            column.children.forEach(add)
        }
        for batch in batches { batch.columns.forEach(add) }
        return hasher.hexDigest
    }
}

extension Dataset {
    /// Batched `map` through the content-addressed cache, like HF `Dataset.map` with its cache
    /// files, but keyed on content: the input's bytes, `operation` (a description of the
    /// function and every parameter that changes its output — the caller's promise), the batch
    /// size and removed columns, and dsprep's format version. A hit opens the stored result
    /// (memory-mapped) without running `transform`; a miss writes the result into the cache first.
    public func map(
        operation: String, cache: DatasetCache, batchRows: Int = 1000,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, removing: [String] = [],
        _ transform: @Sendable (RecordBatch) throws -> MappedColumns
    ) throws -> Dataset {
        var key = CacheKey(operation: "map")
        key.add("input", table.contentFingerprint())
        key.add("operation", operation)
        key.add("batch_rows", String(batchRows))
        key.add("removing", removing.joined(separator: "\u{1F}"))
        let entry = try cache.entry(for: key.value, description: "map \(operation)") { folder in
            var writer: DatasetWriter?
            try table.mapBatches(batchRows: batchRows, threads: threads, removing: removing, transform) { batch in
                if writer == nil {
                    writer = try DatasetWriter(path: folder + "/data", schema: batch.schema,
                                               features: features.selecting(batch.schema), split: split, info: info)
                }
                try writer?.write(batch)
            }
            if let writer {
                try writer.finish()
            } else {
                // No rows: the output schema comes from the transform on an empty batch.
                try Dataset(table: try table.map(batchRows: batchRows, threads: 1, removing: removing, transform),
                            split: split, info: info).save(to: folder + "/data")
            }
        }
        return try Dataset.load(from: entry + "/data")
    }
}
