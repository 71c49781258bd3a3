import DSPrepSupport
import Foundation

/// Row-level operations (filter, shuffle, split, shard, head, concatenate). Selections are
/// materialized into new batches of at most `Table.defaultBatchRows` rows.
extension Table {
    public static let defaultBatchRows = 1000

    /// A new table holding rows `indices` (in that order), copied into fresh batches.
    public func take(_ indices: [Int], batchRows: Int = Table.defaultBatchRows) -> Table {
        let chunks = stride(from: 0, to: indices.count, by: max(batchRows, 1)).map {
            $0..<min($0 + batchRows, indices.count)
        }
        var built = [RecordBatch?](repeating: nil, count: chunks.count)
        built.withUnsafeMutableBufferPointer { output in
            Parallel.tasks(chunks.count) { chunk in
                var builders = schema.fields.map { ColumnBuilder($0.type, capacity: chunks[chunk].count) }
                for position in chunks[chunk] {
                    let (batch, row) = locate(indices[position])
                    for column in builders.indices {
                        builders[column].append(from: batches[batch].columns[column], row: row)
                    }
                }
                output[chunk] = RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() })
            }
        }
        return Table(schema: schema, batches: built.compactMap { $0 })
    }

    /// Rows for which `isIncluded` holds. The predicate sees one batch and a row inside it.
    public func filter(_ isIncluded: (RecordBatch, Int) throws -> Bool) rethrows -> Table {
        var indices: [Int] = []
        var start = 0
        for batch in batches {
            for row in 0..<batch.count where try isIncluded(batch, row) { indices.append(start + row) }
            start += batch.count
        }
        return take(indices)
    }

    /// The first `n` rows (all of them if there are fewer).
    public func head(_ n: Int) -> Table { take(Array(0..<min(max(n, 0), count))) }

    /// A seeded permutation of the rows: the same seed gives the same order everywhere.
    public func shuffled(seed: UInt64) -> Table {
        var order = Array(0..<count)
        var generator = SeededGenerator(seed: seed)
        generator.shuffle(&order)
        return take(order)
    }

    /// Shard `index` of `numShards`. Contiguous (the default, as HF `shard(contiguous=True)`):
    /// the first `count % numShards` shards get one extra row. Otherwise rows `index`,
    /// `index + numShards`, ...
    public func shard(numShards: Int, index: Int, contiguous: Bool = true) throws -> Table {
        guard numShards > 0, (0..<numShards).contains(index) else {
            throw InputError("shard index \(index) is out of range for \(numShards) shards",
                             hint: "use 0 <= index < num_shards")
        }
        return take(Array(Self.shardRows(count: count, numShards: numShards, index: index, contiguous: contiguous)))
    }

    /// The global rows of shard `index` of `numShards`, the row assignment every shard/merge
    /// contract of dsprep relies on.
    public static func shardRows(count: Int, numShards: Int, index: Int, contiguous: Bool = true) -> [Int] {
        if !contiguous { return Array(stride(from: index, to: count, by: numShards)) }
        return Array(shardRange(count: count, numShards: numShards, index: index))
    }

    /// The rows of contiguous shard `index` of `numShards` (`shardRows`) as a range, which a plan
    /// of a file with millions of rows needs without listing them.
    public static func shardRange(count: Int, numShards: Int, index: Int) -> Range<Int> {
        let base = count / numShards, extra = count % numShards
        let start = base * index + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Tables with the same schema, one after the other (batches are shared, not copied).
    public static func concatenate(_ tables: [Table]) throws -> Table {
        guard let first = tables.first else { throw InputError("nothing to concatenate") }
        for (position, table) in tables.enumerated() where table.schema != first.schema {
            throw InputError(
                "cannot concatenate: table \(position + 1) has columns \(table.schema.fields.map { "\($0.name): \($0.type)" }) but the first has \(first.schema.fields.map { "\($0.name): \($0.type)" })")
        }
        return Table(schema: first.schema, batches: tables.flatMap(\.batches))
    }
}
