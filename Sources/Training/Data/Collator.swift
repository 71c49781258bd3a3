import DSPrepSupport

/// Pads a list of rows into one `Batch` (HF `DataCollatorWithPadding`): dynamic padding to the
/// longest row, optionally rounded up to a multiple (`pad_to_multiple_of`), attention mask 1 on
/// real tokens, token_type_ids padded with 0, labels gathered for the same rows.
public struct Collator: Sendable {
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
    public func collate(rows: [Int], inputIds: some TokenRows, tokenTypeIds: (some TokenRows)?,
                        labels: Batch.Labels?) throws -> Batch {
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
        }
        var t = max(longest, 1)
        if let multiple = padToMultipleOf, multiple > 1 { t = (t + multiple - 1) / multiple * multiple }
        let b = rows.count
        var ids = [Int32](repeating: padTokenId, count: b * t)
        var mask = [Int32](repeating: 0, count: b * t)
        var types: [Int32]? = tokenTypeIds == nil ? nil : [Int32](repeating: 0, count: b * t)
        for (position, row) in rows.enumerated() {
            let start = position * t
            inputIds.withRow(row) { source in
                for (j, id) in source.enumerated() { ids[start + j] = id; mask[start + j] = 1 }
            }
            tokenTypeIds?.withRow(row) { source in
                for (j, type) in source.enumerated() { types?[start + j] = type }
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
        return try Batch(size: b, length: t, inputIds: ids, attentionMask: mask, tokenTypeIds: types, labels: batchLabels)
    }
}
