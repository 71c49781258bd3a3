/// A piece of text as the normalizers changed it, remembering for every normalized scalar the
/// range of original scalars it came from (HF tokenizers' `NormalizedString`).
///
/// HF keeps one alignment per UTF-8 byte, but every byte of a character always shares the same
/// alignment, so one (start, end) per Unicode scalar is the same information. Offsets are in
/// scalars of the whole original input (not of this piece), so slices need no shift.
public struct NormalizedString: Sendable, Equatable {
    /// The normalized text, as Unicode scalar values.
    public internal(set) var scalars: [UInt32]
    /// For each normalized scalar, [start, end) in original scalars.
    public internal(set) var starts: [Int32]
    public internal(set) var ends: [Int32]
    /// Where this text began in the input (HF's `original_shift`): the alignment of scalars
    /// inserted before everything else, which HF aligns to offset 0 of the piece.
    public internal(set) var originalStart: Int32 = 0

    /// A fresh, unnormalized string whose first scalar is at `originalOffset` in the input.
    public init<S: Sequence>(scalars original: S, originalOffset: Int = 0) where S.Element == UInt32 {
        scalars = Array(original)
        starts = (0..<scalars.count).map { Int32(originalOffset + $0) }
        ends = starts.map { $0 + 1 }
        originalStart = Int32(originalOffset)
    }

    public init(_ text: String) { self.init(scalars: text.unicodeScalars.lazy.map(\.value)) }

    init(scalars: [UInt32], starts: [Int32], ends: [Int32], originalStart: Int32 = 0) {
        self.scalars = scalars
        self.starts = starts
        self.ends = ends
        self.originalStart = originalStart
    }

    public var count: Int { scalars.count }
    public var isEmpty: Bool { scalars.isEmpty }
    public var text: String {
        var result = String.UnicodeScalarView()
        for value in scalars { if let scalar = Unicode.Scalar(value) { result.append(scalar) } }
        return String(result)
    }

    /// Original [start, end) of the normalized range `range` (HF `convert_offsets`: first start,
    /// last end). An empty range maps to nothing useful and returns nil.
    public func originalRange(of range: Range<Int>) -> (start: Int32, end: Int32)? {
        guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else { return nil }
        return (starts[range.lowerBound], ends[range.upperBound - 1])
    }

    /// The normalized sub-range as its own string (alignments stay absolute).
    public func slice(_ range: Range<Int>) -> NormalizedString {
        NormalizedString(scalars: Array(scalars[range]), starts: Array(starts[range]), ends: Array(ends[range]),
                         originalStart: originalStart)
    }

    // MARK: - The one edit primitive

    /// One step of a transformation: the scalar to emit and how it relates to the current text
    /// (HF's `(char, isize)`): 0 replaces the next scalar, 1 is inserted, -N replaces the next
    /// scalar and removes the N after it.
    public struct Change: Sendable {
        public var scalar: UInt32
        public var change: Int
        public init(_ scalar: UInt32, _ change: Int) {
            self.scalar = scalar
            self.change = change
        }
    }

    /// Rewrites the whole text from `changes`, after dropping `initialRemoved` leading scalars.
    /// Alignments follow HF's `transform_range` exactly: a replacing scalar takes the alignment
    /// of the scalar it replaces; an inserted one takes the alignment of the scalar consumed just
    /// before it (or nothing, at `originalStart`, at the very start).
    public mutating func transform<C: Sequence>(_ changes: C, initialRemoved: Int = 0) where C.Element == Change {
        var newScalars: [UInt32] = []
        var newStarts: [Int32] = []
        var newEnds: [Int32] = []
        newScalars.reserveCapacity(count)
        newStarts.reserveCapacity(count)
        newEnds.reserveCapacity(count)
        var offset = initialRemoved
        for step in changes {
            let alignment: (Int32, Int32)
            if step.change > 0 {
                alignment = offset < 1 || offset > count ? (originalStart, originalStart) : (starts[offset - 1], ends[offset - 1])
            } else if offset < count {
                alignment = (starts[offset], ends[offset])
                offset += 1 + (-step.change)
            } else {
                alignment = count > 0 ? (starts[count - 1], ends[count - 1]) : (originalStart, originalStart)
            }
            newScalars.append(step.scalar)
            newStarts.append(alignment.0)
            newEnds.append(alignment.1)
        }
        scalars = newScalars
        starts = newStarts
        ends = newEnds
    }

    // MARK: - Edits built on transform

    /// Keeps only the scalars for which `keep` is true; survivors keep their alignments.
    public mutating func filter(_ keep: (UInt32) -> Bool) {
        var index = 0
        for position in 0..<count where keep(scalars[position]) {
            scalars[index] = scalars[position]
            starts[index] = starts[position]
            ends[index] = ends[position]
            index += 1
        }
        scalars.removeLast(count - index)
        starts.removeLast(starts.count - index)
        ends.removeLast(ends.count - index)
    }

    /// Replaces each scalar by one scalar, alignments unchanged.
    public mutating func map(_ transform: (UInt32) -> UInt32) {
        for index in 0..<count { scalars[index] = transform(scalars[index]) }
    }

    /// Replaces each scalar from `start` on by zero or more scalars; all of them take its
    /// alignment, a scalar that maps to nothing is removed.
    public mutating func flatMap(from start: Int = 0, _ transform: (UInt32, inout [UInt32]) -> Void) {
        var newScalars = Array(scalars[..<start]), newStarts = Array(starts[..<start]), newEnds = Array(ends[..<start])
        newScalars.reserveCapacity(count)
        newStarts.reserveCapacity(count)
        newEnds.reserveCapacity(count)
        var buffer: [UInt32] = []
        for index in start..<count {
            buffer.removeAll(keepingCapacity: true)
            transform(scalars[index], &buffer)
            for value in buffer {
                newScalars.append(value)
                newStarts.append(starts[index])
                newEnds.append(ends[index])
            }
        }
        scalars = newScalars
        starts = newStarts
        ends = newEnds
    }

    /// Rust `to_lowercase` on every scalar.
    public mutating func lowercase() {
        // Nearly every scalar lowercases to one scalar, so that is done in place; new arrays only
        // from the first one that lowercases to several (U+0130).
        let firstExpanding = scalars.withUnsafeMutableBufferPointer { scalars -> Int? in
            for index in scalars.indices {
                let scalar = scalars[index]
                if scalar < 0x80 {
                    if scalar >= 0x41 && scalar <= 0x5A { scalars[index] = scalar + 0x20 }
                } else if CharacterClasses.flags(scalar).contains(.lowercaseChanges), let mapped = CharacterClasses.lowercaseMap[scalar] {
                    guard mapped.count == 1 else { return index }
                    scalars[index] = mapped[0]
                }
            }
            return nil
        }
        if let firstExpanding {
            flatMap(from: firstExpanding) { scalar, output in CharacterClasses.appendLowercase(scalar, to: &output) }
        }
    }

    /// Unicode normalization with HF's alignment rules (see `AlignedNormalization`).
    public mutating func normalize(_ form: NormalizationForm) {
        transform(AlignedNormalization.normalize(scalars, form: form))
    }

    /// Inserts `prefix` before the first scalar (nothing when empty); inserted scalars take the
    /// first scalar's alignment.
    public mutating func prepend(_ prefix: [UInt32]) {
        guard !isEmpty, !prefix.isEmpty else { return }
        let start = starts[0], end = ends[0]
        scalars.insert(contentsOf: prefix, at: 0)
        starts.insert(contentsOf: repeatElement(start, count: prefix.count), at: 0)
        ends.insert(contentsOf: repeatElement(end, count: prefix.count), at: 0)
    }

    /// Removes leading and/or trailing whitespace.
    public mutating func strip(left: Bool, right: Bool) {
        var lower = 0, upper = count
        if left { while lower < upper, CharacterClasses.flags(scalars[lower]).contains(.whitespace) { lower += 1 } }
        if right { while upper > lower, CharacterClasses.flags(scalars[upper - 1]).contains(.whitespace) { upper -= 1 } }
        if lower == 0 && upper == count { return }
        self = slice(lower..<upper)
    }

    /// Replaces every non-overlapping occurrence of the literal `pattern` by `content`.
    public mutating func replace(_ pattern: [UInt32], with content: [UInt32]) {
        replace(TextPattern.literalMatches(of: pattern, in: scalars), with: content)
    }

    /// Replaces each of `matches` (ascending, non-overlapping; empty ones insert) by `content`.
    /// As HF's `replace`, the new scalars all take the alignment of the scalar just before the
    /// match's end (its last scalar, or for an empty match the scalar before it; nothing, at
    /// `originalStart`, at the very start).
    public mutating func replace(_ matches: [Range<Int>], with content: [UInt32]) {
        guard !matches.isEmpty else { return }
        var newScalars: [UInt32] = [], newStarts: [Int32] = [], newEnds: [Int32] = []
        newScalars.reserveCapacity(count)
        newStarts.reserveCapacity(count)
        newEnds.reserveCapacity(count)
        var kept = 0
        for match in matches {
            newScalars.append(contentsOf: scalars[kept..<match.lowerBound])
            newStarts.append(contentsOf: starts[kept..<match.lowerBound])
            newEnds.append(contentsOf: ends[kept..<match.lowerBound])
            let last = match.upperBound - 1
            let alignment: (Int32, Int32) = last >= 0 ? (starts[last], ends[last]) : (originalStart, originalStart)
            newScalars.append(contentsOf: content)
            newStarts.append(contentsOf: repeatElement(alignment.0, count: content.count))
            newEnds.append(contentsOf: repeatElement(alignment.1, count: content.count))
            kept = match.upperBound
        }
        newScalars.append(contentsOf: scalars[kept...])
        newStarts.append(contentsOf: starts[kept...])
        newEnds.append(contentsOf: ends[kept...])
        scalars = newScalars
        starts = newStarts
        ends = newEnds
    }
}
