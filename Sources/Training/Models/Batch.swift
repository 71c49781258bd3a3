import DSPrepSupport

/// One padded batch as the collator hands it to a model: B rows of T tokens, row-major. A row is
/// one sequence, or for a bi-encoder two (a pair's texts encoded separately): then the token
/// arrays hold the B first texts, then the B second texts, (2B,T).
public struct Batch: Sendable {
    public enum Labels: Sendable, Equatable {
        /// class ids (B), for classification
        case classes([Int32])
        /// targets (B), for regression
        case values([Float])
    }

    /// A list column padded to its own width: (B, width), row-major.
    public struct PaddedColumn: Sendable, Equatable {
        public let width: Int
        public let values: [Int32]
    }

    /// B (examples; labels has one per row)
    public let size: Int
    /// 1, or 2 when each row is a pair of separately encoded texts (`sequenceCount` = 2B)
    public let sequencesPerRow: Int
    /// T (the longest row after padding, or a multiple of `pad_to_multiple_of`)
    public let length: Int
    /// (S,T), S = sequenceCount
    public let inputIds: [Int32]
    /// (S,T), 1 for real tokens and 0 for padding
    public let attentionMask: [Int32]
    /// (S,T), segment ids for sentence pairs; nil means all zeros
    public let tokenTypeIds: [Int32]?
    /// (B) or nil for prediction
    public let labels: Labels?
    /// Other list columns the collator was given, by name, each with its own pad value.
    public let extraColumns: [String: PaddedColumn]

    public init(size: Int, length: Int, inputIds: [Int32], attentionMask: [Int32]? = nil,
                tokenTypeIds: [Int32]? = nil, labels: Labels? = nil, extraColumns: [String: PaddedColumn] = [:],
                sequencesPerRow: Int = 1) throws {
        try check(sequencesPerRow == 1 || sequencesPerRow == 2, "a row holds 1 or 2 sequences, not \(sequencesPerRow)")
        let sequences = size * sequencesPerRow, cells = sequences * length
        try check(size > 0 && length > 0, "a batch needs at least one row and one position (got \(size)×\(length))")
        try check(inputIds.count == cells, "input_ids has \(inputIds.count) values, expected \(sequences)×\(length)")
        let mask = attentionMask ?? [Int32](repeating: 1, count: cells)
        try check(mask.count == cells, "attention_mask has \(mask.count) values, expected \(sequences)×\(length)")
        if let tokenTypeIds {
            try check(tokenTypeIds.count == cells, "token_type_ids has \(tokenTypeIds.count) values, expected \(sequences)×\(length)")
        }
        for (name, column) in extraColumns {
            try check(column.values.count == size * column.width,
                      "\(name) has \(column.values.count) values, expected \(size)×\(column.width)")
        }
        switch labels {
        case .classes(let values)?: try check(values.count == size, "labels has \(values.count) values, expected \(size)")
        case .values(let values)?: try check(values.count == size, "labels has \(values.count) values, expected \(size)")
        case nil: break
        }
        self.size = size
        self.sequencesPerRow = sequencesPerRow
        self.length = length
        self.inputIds = inputIds
        self.attentionMask = mask
        self.tokenTypeIds = tokenTypeIds
        self.labels = labels
        self.extraColumns = extraColumns
    }

    /// S: the padded sequences the token arrays hold.
    public var sequenceCount: Int { size * sequencesPerRow }

    /// Throws unless every input id is in 0..<vocabularySize and every token type in 0..<typeCount
    /// (token types are not checked when typeCount is nil: the model does not read them).
    func validate(vocabularySize: Int, typeCount: Int?) throws {
        for (index, id) in inputIds.enumerated() where id < 0 || Int(id) >= vocabularySize {
            throw InputError("input_ids[sequence \(index / length), position \(index % length)] = \(id) is outside the vocabulary (size \(vocabularySize))",
                             hint: "the model's vocab_size must match the tokenizer that produced the ids")
        }
        guard let typeCount else { return }
        for (index, type) in (tokenTypeIds ?? []).enumerated() where type < 0 || Int(type) >= typeCount {
            throw InputError("token_type_ids[sequence \(index / length), position \(index % length)] = \(type) is outside 0..<\(typeCount)",
                             hint: "raise the model's type_vocab_size")
        }
    }
}
