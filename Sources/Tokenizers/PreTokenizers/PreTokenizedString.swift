/// What pre-tokenizers work on (HF's `PreTokenizedString`): one normalized text and the pieces
/// (words) cut out of it so far, as ranges of its scalars.
///
/// Splitting only rewrites the list of ranges, so a line costs no array per word; HF's splits
/// keep their parent's alignments, which sharing the parent's `NormalizedString` does by
/// construction. Per-thread scratch: `load` reuses the range buffers from one text to the next.
public struct PreTokenizedString: Sendable {
    /// The normalized text every piece is a range of; scalars outside all pieces are dead.
    public private(set) var normalized = NormalizedString(scalars: [], starts: [], ends: [])
    /// The pieces in order, each non-empty.
    public private(set) var pieces: [Range<Int>] = []
    /// The output buffer of `refine`, kept for its capacity.
    private var refined: [Range<Int>] = []

    public init() {}

    public init(_ normalized: NormalizedString) { load(normalized) }

    /// Starts over with `normalized` as the only piece (none when it is empty).
    public mutating func load(_ normalized: NormalizedString) {
        self.normalized = normalized
        pieces.removeAll(keepingCapacity: true)
        if !normalized.isEmpty { pieces.append(0..<normalized.count) }
    }

    /// Each piece as its own string (alignments stay absolute), for callers that keep words.
    public var words: [NormalizedString] { pieces.map { normalized.slice($0) } }

    /// Replaces each piece by the ranges `body` appends for it (within it, ascending); empty
    /// ranges are dropped here.
    mutating func refine(_ body: (_ scalars: UnsafeBufferPointer<UInt32>, _ piece: Range<Int>,
                                  _ output: inout PieceOutput) throws -> Void) rethrows {
        var output = PieceOutput(ranges: [])
        swap(&output.ranges, &refined)
        output.ranges.removeAll(keepingCapacity: true)
        try normalized.scalars.withUnsafeBufferPointer { scalars in
            for piece in pieces { try body(scalars, piece, &output) }
        }
        refined = pieces
        pieces = output.ranges
    }

    /// Splits each piece at the scalars matching `isDelimiter`, each its own match (HF's split
    /// with a character pattern).
    mutating func split(behavior: SplitBehavior, where isDelimiter: (UInt32) -> Bool) {
        refine { scalars, piece, output in
            output.split(piece, behavior: behavior) { match in
                for index in piece where isDelimiter(scalars[index]) { match(index..<index + 1) }
            }
        }
    }

    /// Rewrites the text so that `prefix` comes before every piece for which `shouldPrefix` is
    /// true (given the piece's first scalar index), as `NormalizedString.prepend` does to a
    /// piece: the inserted scalars take the alignment of the piece's first scalar.
    mutating func prependToPieces(_ prefix: [UInt32], where shouldPrefix: (_ first: Int) -> Bool) {
        var scalars: [UInt32] = [], starts: [Int32] = [], ends: [Int32] = []
        let capacity = normalized.count + pieces.count * prefix.count
        scalars.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        refined.removeAll(keepingCapacity: true)
        for piece in pieces {
            let start = scalars.count
            if shouldPrefix(piece.lowerBound) {
                scalars.append(contentsOf: prefix)
                starts.append(contentsOf: repeatElement(normalized.starts[piece.lowerBound], count: prefix.count))
                ends.append(contentsOf: repeatElement(normalized.ends[piece.lowerBound], count: prefix.count))
            }
            scalars.append(contentsOf: normalized.scalars[piece])
            starts.append(contentsOf: normalized.starts[piece])
            ends.append(contentsOf: normalized.ends[piece])
            refined.append(start..<scalars.count)
        }
        normalized = NormalizedString(scalars: scalars, starts: starts, ends: ends, originalStart: normalized.originalStart)
        swap(&pieces, &refined)
    }

    /// Replaces every occurrence of the scalar `old` by `new`, alignments unchanged.
    mutating func replaceScalar(_ old: UInt32, with new: UInt32) {
        normalized.map { $0 == old ? new : $0 }
    }
}

/// The pieces one refinement produces, with HF's split behaviors.
struct PieceOutput {
    var ranges: [Range<Int>]

    @inline(__always)
    mutating func append(_ range: Range<Int>) {
        if !range.isEmpty { ranges.append(range) }
    }

    /// Splits `piece` at the matches `findMatches` reports (absolute, ascending, non-overlapping,
    /// possibly empty), as HF's `NormalizedString::split`; `invert` swaps matches and the text
    /// between them (HF `Invert`). The text is walked as (range, isMatch) in the order HF's
    /// `find_matches` yields them, each behavior deciding in one forward pass what to merge.
    mutating func split(_ piece: Range<Int>, behavior: SplitBehavior, invert: Bool = false,
                        matches findMatches: (_ match: (Range<Int>) -> Void) throws -> Void) rethrows {
        var merger = Merger(behavior: behavior)
        var last = piece.lowerBound
        try findMatches { match in
            if last < match.lowerBound { merger.add(last..<match.lowerBound, isMatch: invert, to: &self) }
            merger.add(match, isMatch: !invert, to: &self)
            last = match.upperBound
        }
        if last < piece.upperBound { merger.add(last..<piece.upperBound, isMatch: invert, to: &self) }
        merger.finish(to: &self)
    }

    /// One behavior's merging state: the last piece, still open to growing.
    private struct Merger {
        let behavior: SplitBehavior
        var pending: Range<Int>? = nil
        var previousMatch = false

        init(behavior: SplitBehavior) { self.behavior = behavior }

        mutating func add(_ range: Range<Int>, isMatch: Bool, to output: inout PieceOutput) {
            switch behavior {
            case .removed: if !isMatch { output.append(range) }
            case .isolated: output.append(range)
            case .contiguous:
                // Runs of matches, and runs of non-matches, each become one piece.
                if let open = pending, isMatch == previousMatch {
                    pending = open.lowerBound..<range.upperBound
                } else {
                    finish(to: &output)
                    pending = range
                }
            case .mergedWithPrevious:
                // A match joins the non-match piece before it.
                if let open = pending, isMatch && !previousMatch {
                    pending = open.lowerBound..<range.upperBound
                } else {
                    finish(to: &output)
                    pending = range
                }
            case .mergedWithNext:
                // A match joins the non-match right after it (and nothing more).
                if let open = pending, !isMatch {
                    output.append(open.lowerBound..<range.upperBound)
                    pending = nil
                } else {
                    finish(to: &output)
                    if isMatch { pending = range } else { output.append(range) }
                }
            }
            previousMatch = isMatch
        }

        mutating func finish(to output: inout PieceOutput) {
            if let open = pending { output.append(open) }
            pending = nil
        }
    }
}
