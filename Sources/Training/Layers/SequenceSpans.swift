/// Where each sequence of a packed batch lives. The encoder computes only the tokens attention
/// can see, packed sequence after sequence (no padding rows), so its activations are (N,·) with
/// N = Σ L_b, and attention keeps NH·L_b² scores per sequence instead of NH·T² for every row.
public struct SequenceSpans: Sendable, Equatable {
    /// B+1 offsets: sequence b owns rows rowStarts[b]..<rowStarts[b+1] of (N,·) activations.
    public private(set) var rowStarts: [Int] = [0]
    /// B+1 offsets: sequence b owns scores scoreStarts[b]..<scoreStarts[b+1] of attention's
    /// (Σ NH·L²) buffers, laid out (NH,L,L).
    public private(set) var scoreStarts: [Int] = [0]
    public let heads: Int

    public init(heads: Int) { self.heads = heads }

    public init(lengths: [Int], heads: Int) {
        self.heads = heads
        for length in lengths { append(length: length) }
    }

    /// B
    public var count: Int { rowStarts.count - 1 }
    /// N
    public var rowCount: Int { rowStarts[rowStarts.count - 1] }
    public var scoreCount: Int { scoreStarts[scoreStarts.count - 1] }

    public func length(_ sequence: Int) -> Int { rowStarts[sequence + 1] - rowStarts[sequence] }

    /// Empties the spans, keeping their storage.
    public mutating func removeAll() {
        rowStarts.removeAll(keepingCapacity: true)
        scoreStarts.removeAll(keepingCapacity: true)
        rowStarts.append(0)
        scoreStarts.append(0)
    }

    public mutating func append(length: Int) {
        rowStarts.append(rowCount + length)
        scoreStarts.append(scoreCount + heads * length * length)
    }
}
