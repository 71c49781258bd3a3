import DSPrepSupport

/// A tokenized split as the trainer reads it: token rows (in place, e.g. a memory-mapped shard),
/// optional segment ids for pairs, labels, and each row's length (the shards' `length` column,
/// which length-grouped batching sorts by without touching the tokens).
public struct LabelledRows<Rows: TokenRows> {
    public var inputIds: Rows
    public var tokenTypeIds: TokenRowArray?
    /// nil for unlabelled data (prediction only).
    public var labels: Batch.Labels?
    public var lengths: [Int]
    /// ClassLabel names, when the data has them.
    public var labelNames: [String]?
    /// Where the rows came from, for error messages.
    public var source: String
    /// Other list columns padded into every batch (`Batch.extraColumns`).
    public var extraColumns: [Collator.ListColumn] = []
    /// The second texts of pairs encoded separately (`pair_input_ids`), for a bi-encoder: each
    /// batch row is then two sequences.
    public var pairInputIds: Rows?

    public init(inputIds: Rows, tokenTypeIds: TokenRowArray? = nil, labels: Batch.Labels?, lengths: [Int],
                labelNames: [String]? = nil, source: String) {
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds
        self.labels = labels
        self.lengths = lengths
        self.labelNames = labelNames
        self.source = source
    }

    public var rowCount: Int { inputIds.rowCount }

    /// The task the labels imply: class ids → classification over the ClassLabel names (or the
    /// largest id + 1), float values → regression.
    public var inferredTask: ProblemType? {
        switch labels {
        case .classes(let ids)?: return .classification(labels: labelNames?.count ?? (Int(ids.max() ?? 0) + 1))
        case .values?: return .regression
        case nil: return nil
        }
    }

    /// The distinct class ids the rows use (empty for regression or unlabelled rows).
    public var classesPresent: Set<Int32> {
        guard case .classes(let ids)? = labels else { return [] }
        return Set(ids)
    }

    /// Largest token id + 1 (the smallest vocabulary that covers the rows).
    public var idBound: Int {
        var largest: Int32 = -1
        for row in 0..<rowCount { inputIds.withRow(row) { ids in for id in ids where id > largest { largest = id } } }
        return Int(largest) + 1
    }

    /// Evaluation order: rows (all, or those in `rows`) sorted by length, so each batch pads
    /// little (deterministic).
    public func lengthSortedBatches(batchSize: Int, rows: [Int]? = nil) -> [[Int]] {
        BatchOrder.chunks((rows ?? Array(lengths.indices)).sorted { (lengths[$0], $0) < (lengths[$1], $1) }, batchSize)
    }

    /// Batches collated lazily in `order`, one at a time (a padded copy of one batch at a time).
    public func batches(_ order: [[Int]], collator: Collator) -> CollatedBatches<Rows> {
        CollatedBatches(rows: self, order: order, collator: collator)
    }

    public func collate(_ rows: [Int], collator: Collator) throws -> Batch {
        do {
            return try collator.collate(rows: rows, inputIds: inputIds, tokenTypeIds: tokenTypeIds, labels: labels,
                                        extraColumns: extraColumns, pairInputIds: pairInputIds)
        } catch let error as InputError {
            throw InputError(error.message, at: SourceLocation(path: source), hint: error.hint)
        }
    }
}

/// A sequence of collated batches for `Evaluation.run`. Sequences cannot throw, so the first
/// collation error ends the sequence and is kept in `failure`, which callers check afterwards.
public final class CollatedBatches<Rows: TokenRows>: Sequence {
    let rows: LabelledRows<Rows>
    let order: [[Int]]
    let collator: Collator
    public private(set) var failure: Error?

    init(rows: LabelledRows<Rows>, order: [[Int]], collator: Collator) {
        self.rows = rows
        self.order = order
        self.collator = collator
    }

    public func makeIterator() -> AnyIterator<Batch> {
        var next = 0
        return AnyIterator { [self] in
            guard failure == nil, next < order.count else { return nil }
            defer { next += 1 }
            do { return try rows.collate(order[next], collator: collator) } catch {
                failure = error
                return nil
            }
        }
    }

    /// Throws the collation error, if one ended the sequence.
    public func checkFailure() throws { if let failure { throw failure } }
}
