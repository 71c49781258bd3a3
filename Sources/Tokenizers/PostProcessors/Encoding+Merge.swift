/// Joining encodings, overflowing windows included, exactly as HF `Encoding::merge_with`
/// (tokenizers 0.23.3, `tokenizer/encoding.rs`) does it: post-processors build their output by
/// merging pieces one after another, so the windows a truncation cut off a sequence come out
/// combined with everything around them, in HF's order and nesting.
extension Encoding {
    /// Appends `pair` (offsets stay relative to each sequence's own text, as HF reports them).
    ///
    /// The new overflowing list is, in this order:
    /// 1. for each window `w` of ours: `w + pair` (its own overflowing holding `w + v` for each
    ///    window `v` of the pair, since the merge recurses), then `w + v` for each window `v`;
    /// 2. for each window `v` of the pair: `self + v` (with our windows `w + v` inside).
    mutating func merge(with pair: Encoding) {
        var combined: [Encoding] = []
        if !overflowing.isEmpty || !pair.overflowing.isEmpty {
            combined.reserveCapacity((overflowing.count + 1) * (pair.overflowing.count + 1) - 1)
            for window in overflowing {
                combined.append(window.merging(pair))
                for pairWindow in pair.overflowing { combined.append(window.merging(pairWindow)) }
            }
            for pairWindow in pair.overflowing { combined.append(merging(pairWindow)) }
        }
        ids += pair.ids
        tokens += pair.tokens
        offsets += pair.offsets
        typeIds += pair.typeIds
        attentionMask += pair.attentionMask
        specialTokensMask += pair.specialTokensMask
        overflowing = combined
    }

    func merging(_ pair: Encoding) -> Encoding {
        var result = self
        result.merge(with: pair)
        return result
    }

    /// Special tokens as an encoding of their own: offsets (0, 0), in the special-tokens mask.
    init(specialIDs ids: [Int32], tokens: [String], typeID: Int32) {
        self.init()
        self.ids = ids
        self.tokens = tokens
        offsets = Array(repeating: (0, 0), count: ids.count)
        typeIds = Array(repeating: typeID, count: ids.count)
        attentionMask = Array(repeating: 1, count: ids.count)
        specialTokensMask = Array(repeating: 1, count: ids.count)
    }

    /// The pair after the sequence, no special tokens, type ids as encoded (HF's
    /// `default_process`, used when a tokenizer has no post-processor).
    static func merged(_ first: Encoding, _ pair: Encoding?) -> Encoding {
        guard let pair else { return first }
        return first.merging(pair)
    }
}
