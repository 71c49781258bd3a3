/// A padded (B,T) batch as the encoder computes it: only the positions attention can see, packed
/// sequence after sequence. Random batches of NSMC reviews are ~70% padding, and a padding row
/// changes nothing the loss sees (it is masked as a key and never pooled), so skipping it gives
/// the same outputs and gradients for a fraction of the work (FlashAttention's `unpad_input`).
///
/// Kept per sequence: every position with attention_mask 1, and position 0 always (the pooler
/// reads it; if it is padding it stays masked as a key). A sequence with no unmasked position
/// keeps all T positions, so its attention is uniform over them as in the padded computation.
/// Storage is reused from batch to batch.
final class PackedBatch {
    /// How a token's position id is counted.
    enum PositionRule: Sendable, Equatable {
        /// its index in the padded row (BERT, ELECTRA)
        case absolute
        /// pad tokens get `padTokenId`, the others `padTokenId` + how many non-pad tokens the row
        /// has up to and including them (RoBERTa's `create_position_ids_from_input_ids`)
        case afterPadding
    }

    let positionRule: PositionRule
    let padTokenId: Int32
    private(set) var spans: SequenceSpans
    /// (N) each: token id, position id (0..<T), token type (nil when the batch has none)
    private(set) var inputIds: [Int32] = []
    private(set) var positions: [Int32] = []
    private(set) var tokenTypeIds: [Int32]?
    /// (N) additive attention bias of each row as a key: 0, or `Attention.maskedBias` for padding
    private(set) var keyBias: [Float] = []

    /// The largest position id of the last `pack` (−1 before any).
    private(set) var maxPosition: Int32 = -1

    init(heads: Int, positions: PositionRule = .absolute, padTokenId: Int32 = 0) {
        spans = SequenceSpans(heads: heads)
        positionRule = positions
        self.padTokenId = padTokenId
    }

    var rowCount: Int { spans.rowCount }

    func pack(_ batch: Batch) {
        let t = batch.length
        spans.removeAll()
        inputIds.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        keyBias.removeAll(keepingCapacity: true)
        if batch.tokenTypeIds == nil { tokenTypeIds = nil } else {
            if tokenTypeIds == nil { tokenTypeIds = [] }
            tokenTypeIds?.removeAll(keepingCapacity: true)
        }
        maxPosition = -1
        batch.attentionMask.withUnsafeBufferPointer { mask in
            for bi in 0..<batch.sequenceCount {
                let row = bi * t
                var tokens = 0
                for ti in 0..<t where mask[row + ti] != 0 { tokens += 1 }
                let start = inputIds.count
                // non-pad tokens so far, counted over every position (packed or not)
                var nonPad: Int32 = 0, nextCounted = 0
                for ti in 0..<t where tokens == 0 || ti == 0 || mask[row + ti] != 0 {
                    let id = batch.inputIds[row + ti]
                    inputIds.append(id)
                    let position: Int32
                    switch positionRule {
                    case .absolute: position = Int32(ti)
                    case .afterPadding:
                        while nextCounted <= ti {
                            if batch.inputIds[row + nextCounted] != padTokenId { nonPad += 1 }
                            nextCounted += 1
                        }
                        position = id == padTokenId ? padTokenId : padTokenId + nonPad
                    }
                    positions.append(position)
                    maxPosition = max(maxPosition, position)
                    if let types = batch.tokenTypeIds { tokenTypeIds?.append(types[row + ti]) }
                    keyBias.append(mask[row + ti] != 0 ? 0 : Attention.maskedBias)
                }
                spans.append(length: inputIds.count - start)
            }
        }
    }
}
