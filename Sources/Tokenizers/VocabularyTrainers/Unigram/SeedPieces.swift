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
    /// Per substring partition: entry → seed piece id, or -1.
    var pieceOfEntry: [[Int32]]

    init(substrings: SubstringCounts, required: RequiredCharacters, seedPieceCount: Int) {
        pieceOfEntry = substrings.tables.map { [Int32](repeating: -1, count: $0.entries.count) }
        // Single-character entries, by scalar, to give the required characters their spans.
        var characterEntry: [UInt32: (partition: Int, index: Int)] = [:]
        var candidates: [(weight: Int64, offset: Int32, length: UInt8, partition: Int, index: Int)] = []
        required.words.scalars.withUnsafeBufferPointer { arena in
            for (partition, table) in substrings.tables.enumerated() {
                for (index, entry) in table.entries.enumerated() {
                    if entry.length == 1 {
                        characterEntry[arena[Int(entry.offset)]] = (partition, index)
                    } else if entry.frequency >= 2 && entry.follower == SubstringCounts.branching {
                        candidates.append((entry.frequency * Int64(entry.length), entry.offset, entry.length, partition, index))
                    }
                }
            }
        }
        var weights: [Int64] = []
        for character in required.characters {
            guard let (partition, index) = characterEntry[character.scalar] else { continue }
            add(substrings.tables[partition].entries[index], partition: partition, index: index)
            weights.append(character.count)
        }
        // First seen = lowest (offset, length): the words are walked in order, start by start.
        candidates.sort {
            $0.weight != $1.weight ? $0.weight > $1.weight : ($0.offset != $1.offset ? $0.offset < $1.offset : $0.length < $1.length)
        }
        for candidate in candidates.prefix(seedPieceCount) {
            add(substrings.tables[candidate.partition].entries[candidate.index], partition: candidate.partition,
                index: candidate.index)
            weights.append(candidate.weight)
        }
        let logTotal = log(Double(weights.reduce(0, +)))
        scores = weights.map { Float(log(Double($0)) - logTotal) }
    }

    private mutating func add(_ entry: SubstringCounts.Entry, partition: Int, index: Int) {
        pieceOfEntry[partition][index] = Int32(offsets.count)
        offsets.append(entry.offset)
        lengths.append(entry.length)
    }

    /// The seed piece an occurrence of `SubstringCounts` is, or -1.
    @inline(__always)
    func piece(of occurrence: UInt32) -> Int32 {
        pieceOfEntry[Int(occurrence >> UInt32(SubstringCounts.partitionShift))][
            Int(occurrence & (1 << UInt32(SubstringCounts.partitionShift) - 1))]
    }
}
