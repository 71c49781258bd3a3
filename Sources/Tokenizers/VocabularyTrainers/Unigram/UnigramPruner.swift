import DSPrepSupport
import Foundation

/// One pruning round of sentencepiece's Unigram training (`Trainer::PruneSentencePieces`):
/// 1. each piece's own text is segmented without the piece: if a split scores higher, the piece
///    is never used and goes; if there is no split at all, it stays; otherwise the split is its
///    alternative;
/// 2. the words are segmented (Viterbi) to count how often each piece is used;
/// 3. a piece's loss is how much the corpus likelihood drops when its uses go to its
///    alternative (approximated as sentencepiece does, from those counts alone);
/// 4. the `max(desired, shrinkingFactor × count)` pieces with the highest loss are kept.
enum UnigramPruner {
    /// The new id of each piece (−1: pruned), in sentencepiece's order: pieces without an
    /// alternative first, then by descending loss (ties: lower id first).
    static func prune(_ lattices: WordLattices, scores: [Float], unknownScore: Float, desiredSize: Int,
                      shrinkingFactor: Double) throws -> [Int32] {
        let pieceCount = scores.count
        // Per piece: nil when a split of its text beats it, else its best split ([] when none).
        let chunks = WordLattices.chunks(pieceCount, threads: lattices.threads)
        let alternatives: [[Int32]?] = try lattices.nodes.withUnsafeBufferPointer { nodes in
            try scores.withUnsafeBufferPointer { scores in
                try Parallel.map(chunks.count, threads: lattices.threads) { chunk in
                    var best: [(score: Float, node: Int)] = []
                    var path: [Int] = []
                    return chunks[chunk].map { piece -> [Int32]? in
                        alternative(of: piece, lattices, nodes: nodes, scores: scores, unknownScore: unknownScore,
                                    best: &best, path: &path)
                    }
                }
            }
        }.flatMap { $0 }

        let frequencies = try lattices.viterbiCounts(scores: scores, unknownScore: unknownScore)
        let wordTotal = Double(lattices.counts.reduce(0, +))
        let total = frequencies.reduce(0, +)
        let logTotal = log(total)
        var newID = [Int32](repeating: -1, count: pieceCount)
        var nextID: Int32 = 0
        var candidates: [(piece: Int, loss: Float)] = []
        for piece in 0..<pieceCount {
            let frequency = frequencies[piece]
            guard frequency > 0, let split = alternatives[piece] else { continue }
            if split.isEmpty {
                newID[piece] = nextID
                nextID += 1
                continue
            }
            let share = frequency / wordTotal
            let logProbability = log(frequency) - logTotal
            // Without the piece, its uses go to each alternative piece (unknown ones have no count).
            let logTotalWithout = log(total + frequency * Double(split.count - 1))
            var logProbabilityWithout = 0.0
            for alternative in split {
                let count = alternative >= 0 ? frequencies[Int(alternative)] : 0
                logProbabilityWithout += log(count + frequency) - logTotalWithout
            }
            candidates.append((piece, Float(share * (logProbability - logProbabilityWithout))))
        }
        let prunedSize = max(desiredSize, Int(shrinkingFactor * Double(pieceCount)))
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.piece < $1.piece }
        for candidate in candidates where Int(nextID) < prunedSize {
            newID[candidate.piece] = nextID
            nextID += 1
        }
        return newID
    }

    /// The best split of `piece`'s own text without the piece (its pieces, unknowns as -1): [] when
    /// the text has no other split, nil when a split scores higher than the piece.
    private static func alternative(of piece: Int, _ lattices: WordLattices, nodes: UnsafeBufferPointer<WordLattices.Node>,
                                    scores: UnsafeBufferPointer<Float>, unknownScore: Float,
                                    best: inout [(score: Float, node: Int)], path: inout [Int]) -> [Int32]? {
        let word = Int(lattices.occurrenceWord[piece])
        let start = Int(lattices.occurrenceStart[piece])
        guard word >= 0 else { return [] }
        let wordNodes = lattices.nodeStarts[word]..<lattices.nodeStarts[word + 1]
        // The word's nodes from `start` on, up to the end of the piece.
        var low = wordNodes.lowerBound
        while low < wordNodes.upperBound && nodes[low].start < start { low += 1 }
        var high = low
        var own = -1
        var length = 0
        while high < wordNodes.upperBound && (own < 0 || nodes[high].start < start + length) {
            if nodes[high].piece == Int32(piece) && nodes[high].start == start {
                own = high
                length = Int(nodes[high].span & 0xFF)
            }
            high += 1
        }
        guard own >= 0, WordLattices.bestPath(low..<high, offset: start, length: length, nodes: nodes, excluding: own,
                                              scores: scores, unknownScore: unknownScore, best: &best, path: &path)
        else { return [] }
        if best[length].score > scores[piece] { return nil }
        return path.reversed().map { nodes[$0].piece }
    }
}
