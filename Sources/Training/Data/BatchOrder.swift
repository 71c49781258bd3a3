import DSPrepSupport

/// The order of an epoch's rows, as batches of indices.
public enum BatchOrder {
    /// Shuffled with the seed, cut into batches (the last may be short).
    public static func shuffled(rowCount: Int, batchSize: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var indices = Array(0..<rowCount)
        generator.shuffle(&indices)
        return chunks(indices, batchSize)
    }

    /// HF `LengthGroupedSampler` (`get_length_grouped_indices`): shuffle, cut into megabatches
    /// of `multiplier × batchSize` rows (multiplier = min(rows / (4·batchSize), 50), at least 1),
    /// sort each megabatch by length, longest first, and move the longest row of all to the front
    /// (so an out-of-memory batch shows up at once). Rows of similar length share batches, which
    /// cuts padding; lengths come from the shards' stored `length` column.
    public static func lengthGrouped(lengths: [Int], batchSize: Int, seed: UInt64) -> [[Int]] {
        let size = max(batchSize, 1)
        var generator = SeededGenerator(seed: seed)
        var indices = Array(lengths.indices)
        generator.shuffle(&indices)
        let multiplier = max(min(lengths.count / (size * 4), 50), 1)
        // Longest first; equal lengths keep their shuffled order (Python's stable sorted(reverse=True)).
        var megabatches = chunks(indices, multiplier * size).map { megabatch in
            megabatch.enumerated().sorted { a, b in
                let (la, lb) = (lengths[a.element], lengths[b.element])
                return la != lb ? la > lb : a.offset < b.offset
            }.map(\.element)
        }
        if let longest = megabatches.indices.max(by: { lengths[megabatches[$0][0]] < lengths[megabatches[$1][0]] }), longest != 0 {
            (megabatches[0][0], megabatches[longest][0]) = (megabatches[longest][0], megabatches[0][0])
        }
        return chunks(megabatches.flatMap { $0 }, size)
    }

    static func chunks(_ indices: [Int], _ size: Int) -> [[Int]] {
        stride(from: 0, to: indices.count, by: max(size, 1)).map { Array(indices[$0..<min($0 + size, indices.count)]) }
    }
}
