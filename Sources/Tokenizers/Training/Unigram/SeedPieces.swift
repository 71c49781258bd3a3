import Foundation

/// Stage 3 of Unigram training: the first, oversized vocabulary (sentencepiece's
/// `MakeSeedSentencePieces`): every required character, then the repeated right-branching
/// substrings of two or more characters with the highest `frequency × length` (ties: first
/// seen first), up to `seedPieceCount`. Scores are log relative frequencies of those weights.
struct SeedPieces {
    /// Piece `i` is the arena span `offsets[i] ..< offsets[i] + lengths[i]`.
    var offsets: [Int32] = []
    var lengths: [UInt8] = []
    var scores: [Float] = []
    /// Substring entry → seed piece id, or -1.
    var pieceOfEntry: [Int32]

    init(substrings: SubstringCounts, required: RequiredCharacters, seedPieceCount: Int) {
        pieceOfEntry = [Int32](repeating: -1, count: substrings.count)
        var weights: [Int64] = []
        // Single-character entries, by scalar, to give the required characters their spans.
        var characterEntry: [UInt32: Int] = [:]
        var candidates: [UInt64] = []
        required.words.scalars.withUnsafeBufferPointer { arena in
            for entry in 0..<substrings.count {
                let length = Int(substrings.lengths[entry])
                if length == 1 {
                    characterEntry[arena[Int(substrings.offsets[entry])]] = entry
                } else if substrings.frequencies[entry] >= 2 && substrings.followers[entry] == SubstringCounts.branching {
                    // Sort key: highest weight first, then entry order (weights stay far below 2^32).
                    let weight = UInt64(substrings.frequencies[entry]) * UInt64(length)
                    candidates.append((UInt64(UInt32.max) - min(weight, UInt64(UInt32.max))) << 32 | UInt64(entry))
                }
            }
        }
        for character in required.characters {
            guard let entry = characterEntry[character.scalar] else { continue }
            add(entry, substrings)
            weights.append(character.count)
        }
        candidates.sort()
        for key in candidates.prefix(seedPieceCount) {
            let entry = Int(key & 0xFFFF_FFFF)
            let weight = substrings.frequencies[entry] * Int64(substrings.lengths[entry])
            add(entry, substrings)
            weights.append(weight)
        }
        let logTotal = Foundation.log(Double(weights.reduce(0, +)))
        scores = weights.map { Float(Foundation.log(Double($0)) - logTotal) }
    }

    private mutating func add(_ entry: Int, _ substrings: SubstringCounts) {
        pieceOfEntry[entry] = Int32(offsets.count)
        offsets.append(substrings.offsets[entry])
        lengths.append(substrings.lengths[entry])
    }
}
