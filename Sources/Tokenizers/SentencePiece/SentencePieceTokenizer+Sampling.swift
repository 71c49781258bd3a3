import DSPrepSupport
import Foundation

/// More than the best segmentation: the n best (sentencepiece's `NBestEncode`) and a sampled
/// one (`SampleEncode`, subword regularization). Both run on `UnigramLattice`; pieces come out
/// as `encode` gives them (unknown runs merged or split into bytes, spans in the input).
extension SentencePieceTokenizer {
    /// The `size` best segmentations of `text`, best first, each with its score (the sum of
    /// its lattice node scores). Like sentencepiece, `size` is clamped to 1...1024 and 1 is the
    /// ordinary encoding with score 0; an empty text has one empty segmentation.
    public func nbestEncode(_ text: String, size: Int, addSpecialTokens: Bool = false) -> [(encoding: Encoding, score: Float)] {
        let size = max(1, min(size, 1024))
        return withNormalized(text) { input, workspace in
            guard size > 1, workspace.normalized.count > 0 else {
                encodeSegments(workspace: workspace) { model.segment($0, bestPath: workspace.bestPath, into: workspace.segments) }
                return [(encoding(of: input, workspace: workspace, addSpecialTokens: addSpecialTokens), 0)]
            }
            var lattice = UnigramLattice(workspace.normalized.buffer, model: model)
            return lattice.nbest(size).map { path, score in
                fill(workspace, from: path, of: lattice)
                return (encoding(of: input, workspace: workspace, addSpecialTokens: addSpecialTokens), score)
            }
        }
    }

    /// The ids of the `size` best segmentations (`nbest_encode_as_ids`).
    public func nbestEncodeIDs(_ text: String, size: Int) -> [[Int32]] {
        nbestEncode(text, size: size).map(\.encoding.ids)
    }

    /// One segmentation of `text` drawn at random (subword regularization), as sentencepiece's
    /// `encode(text, enable_sampling=True, nbest_size=, alpha=)` draws it, but from `generator`:
    /// - `nbestSize < 0`: from all segmentations, with probability ∝ exp(alpha · score)
    ///   (forward-filtering backward-sampling over the whole lattice);
    /// - `nbestSize` 0 or 1: the best segmentation;
    /// - `nbestSize > 1`: from the `nbestSize` best, with probability ∝ exp(alpha · score).
    /// `nbestSize` must be at most 512, as in sentencepiece.
    public func sampleEncode(_ text: String, nbestSize: Int, alpha: Float, addSpecialTokens: Bool = false,
                             using generator: inout SeededGenerator) throws -> Encoding {
        guard nbestSize <= 512 else {
            throw InputError("nbest_size \(nbestSize) is too large for sampling", hint: "use at most 512, or -1 to sample from all segmentations")
        }
        return withNormalized(text) { input, workspace in
            if nbestSize == 0 || nbestSize == 1 || workspace.normalized.count == 0 {
                encodeSegments(workspace: workspace) { model.segment($0, bestPath: workspace.bestPath, into: workspace.segments) }
            } else if nbestSize < 0 {
                let lattice = UnigramLattice(workspace.normalized.buffer, model: model)
                fill(workspace, from: lattice.sample(inverseTheta: alpha, using: &generator), of: lattice)
            } else {
                var lattice = UnigramLattice(workspace.normalized.buffer, model: model)
                let nbest = lattice.nbest(nbestSize)
                // sentencepiece: log-probabilities alpha · score (Float), normalized in Double.
                let logProbabilities = nbest.map { Double(alpha * $0.score) }
                let highest = logProbabilities.max() ?? 0
                let weights = logProbabilities.map { exp($0 - highest) }
                let chosen = nbest.isEmpty ? [] : nbest[UnigramLattice.draw(weights, using: &generator)].path
                fill(workspace, from: chosen, of: lattice)
            }
            return encoding(of: input, workspace: workspace, addSpecialTokens: addSpecialTokens)
        }
    }

    /// The ids of a sampled segmentation (see `sampleEncode`).
    public func sampleEncodeIDs(_ text: String, nbestSize: Int, alpha: Float, using generator: inout SeededGenerator) throws -> [Int32] {
        try sampleEncode(text, nbestSize: nbestSize, alpha: alpha, using: &generator).ids
    }

    // MARK: - Helpers

    /// Normalizes `text` into a pooled workspace and runs `body` on its UTF-8 bytes.
    private func withNormalized<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, SentencePieceWorkspace) throws -> T) rethrows -> T {
        var text = text
        return try text.withUTF8 { input in
            try pool.withWorkspace { workspace in
                normalizer.normalize(input, into: workspace.normalized, normToOrig: workspace.normToOrig)
                return try body(input, workspace)
            }
        }
    }

    private func encodeSegments(workspace: SentencePieceWorkspace, _ segment: (UnsafeBufferPointer<UInt8>) -> Void) {
        segment(workspace.normalized.buffer)
        emitPieces(workspace: workspace)
    }

    /// A lattice path → `workspace.segments` → `workspace.output`.
    private func fill(_ workspace: SentencePieceWorkspace, from path: [Int32], of lattice: UnigramLattice) {
        workspace.segments.count = 0
        for node in path { workspace.segments.append(lattice.segment(of: node)) }
        emitPieces(workspace: workspace)
    }

    private func encoding(of input: UnsafeBufferPointer<UInt8>, workspace: SentencePieceWorkspace, addSpecialTokens: Bool) -> Encoding {
        var encoding = Encoding()
        append(workspace.output.buffer, of: input, typeID: 0, addSpecialTokens: addSpecialTokens, to: &encoding)
        return encoding
    }
}
