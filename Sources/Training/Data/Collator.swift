import DSPrepSupport

/// Pads a list of rows into one `Batch` (HF `DataCollatorWithPadding`): dynamic padding to the
/// longest row, optionally rounded up to a multiple (`pad_to_multiple_of`), attention mask 1 on
/// real tokens, token_type_ids padded with 0, labels gathered for the same rows, and every other
/// list column it is given padded with that column's own pad value (HF's collator leaves those
/// unpadded and fails on them).
public struct Collator: Sendable {
    /// Another list column to pad alongside the tokens, e.g. token-level `labels` (pad -100) or
    /// `special_tokens_mask` (pad 1).
    public struct ListColumn {
        public var name: String
        public var rows: any TokenRows
        public var padValue: Int32

        public init(name: String, rows: any TokenRows, padValue: Int32) {
            self.name = name
            self.rows = rows
            self.padValue = padValue
        }
    }

    /// The pad value HF conventions give a column: -100 for labels (ignored by the loss), 1 for
    /// special_tokens_mask (padding is special), the pad token for id columns, else 0.
    public func defaultPadValue(forColumn name: String) -> Int32 {
        switch name {
        case "labels", "label": return -100
        case "special_tokens_mask": return 1
        case "input_ids", "decoder_input_ids": return padTokenId
        default: return 0
        }
    }

    public var padTokenId: Int32
    public var padToMultipleOf: Int?
    /// Rows longer than this are an error naming the row (shards are truncated when tokenized).
    public var maxLength: Int

    public init(padTokenId: Int32 = 0, padToMultipleOf: Int? = nil, maxLength: Int = 512) {
        self.padTokenId = padTokenId
        self.padToMultipleOf = padToMultipleOf
        self.maxLength = maxLength
    }

    /// `rows` index into `inputIds`, `tokenTypeIds` (same row lengths) and `labels` (one per row
    /// of the dataset, or nil for prediction).
    /// Each of `extraColumns` is padded to its own longest chosen row (rounded like the tokens),
    /// so columns of another length than `input_ids` (e.g. target sequences) pad correctly too.
    /// `pairInputIds`, a bi-encoder's second texts, makes each row two sequences: the batch holds
    /// the rows' `inputIds`, then their `pairInputIds`, all padded to the longest of both.
    public func collate(rows: [Int], inputIds: some TokenRows, tokenTypeIds: (some TokenRows)?,
                        labels: Batch.Labels?, extraColumns: [ListColumn] = [], pairInputIds: (any TokenRows)? = nil) throws -> Batch {
        try check(!rows.isEmpty, "cannot collate an empty batch")
        var longest = 0
        for row in rows {
            try check(row >= 0 && row < inputIds.rowCount, "row \(row) is outside the dataset (\(inputIds.rowCount) rows)")
            let length = inputIds.length(of: row)
            try check(length <= maxLength, "row \(row) has \(length) tokens, more than max_length \(maxLength)")
            if let tokenTypeIds {
                try check(tokenTypeIds.length(of: row) == length,
                          "row \(row): token_type_ids has \(tokenTypeIds.length(of: row)) values for \(length) input_ids")
            }
            longest = max(longest, length)
            if let pairInputIds {
                try check(row < pairInputIds.rowCount, "row \(row) is outside pair_input_ids (\(pairInputIds.rowCount) rows)")
                let pairLength = pairInputIds.length(of: row)
                try check(pairLength <= maxLength, "row \(row) has \(pairLength) pair tokens, more than max_length \(maxLength)")
                longest = max(longest, pairLength)
            }
        }
        let t = paddedLength(longest)
        let b = rows.count, sequencesPerRow = pairInputIds == nil ? 1 : 2
        var ids = [Int32](repeating: padTokenId, count: sequencesPerRow * b * t)
        var mask = [Int32](repeating: 0, count: sequencesPerRow * b * t)
        var types: [Int32]? = tokenTypeIds == nil ? nil : [Int32](repeating: 0, count: sequencesPerRow * b * t)
        func place(_ source: UnsafeBufferPointer<Int32>, sequence: Int) {
            for (j, id) in source.enumerated() { ids[sequence * t + j] = id; mask[sequence * t + j] = 1 }
        }
        for (position, row) in rows.enumerated() {
            inputIds.withRow(row) { place($0, sequence: position) }
            pairInputIds?.withRow(row) { place($0, sequence: b + position) }
            tokenTypeIds?.withRow(row) { source in
                for (j, type) in source.enumerated() { types?[position * t + j] = type }
            }
        }
        let batchLabels: Batch.Labels?
        switch labels {
        case .classes(let all)?:
            try check(all.count == inputIds.rowCount, "\(all.count) labels for \(inputIds.rowCount) rows")
            batchLabels = .classes(rows.map { all[$0] })
        case .values(let all)?:
            try check(all.count == inputIds.rowCount, "\(all.count) labels for \(inputIds.rowCount) rows")
            batchLabels = .values(rows.map { all[$0] })
        case nil:
            batchLabels = nil
        }
        var padded: [String: Batch.PaddedColumn] = [:]
        for column in extraColumns {
            try check(padded[column.name] == nil, "list column \(column.name) is given twice")
            padded[column.name] = try pad(column, rows: rows)
        }
        return try Batch(size: b, length: t, inputIds: ids, attentionMask: mask, tokenTypeIds: types, labels: batchLabels,
                         extraColumns: padded, sequencesPerRow: sequencesPerRow)
    }

    private func paddedLength(_ longest: Int) -> Int {
        let length = max(longest, 1)
        guard let multiple = padToMultipleOf, multiple > 1 else { return length }
        return (length + multiple - 1) / multiple * multiple
    }

    private func pad(_ column: ListColumn, rows: [Int]) throws -> Batch.PaddedColumn {
        try check(column.rows.rowCount >= (rows.max() ?? 0) + 1,
                  "list column \(column.name) has \(column.rows.rowCount) rows, fewer than the tokens")
        let width = paddedLength(rows.map { column.rows.length(of: $0) }.max() ?? 0)
        var values = [Int32](repeating: column.padValue, count: rows.count * width)
        for (position, row) in rows.enumerated() {
            column.rows.withRow(row) { source in
                for (j, value) in source.enumerated() { values[position * width + j] = value }
            }
        }
        return Batch.PaddedColumn(width: width, values: values)
    }
}
