import DSPrepSupport

/// Splits each piece at the matches of a literal or a regex, keeping the matches as `behavior`
/// says; with `invert`, the pattern describes the pieces to keep instead (HF `Split`).
public struct SplitPreTokenizer: PreTokenizer {
    public let pattern: TextPattern
    public let behavior: SplitBehavior
    public let invert: Bool

    public init(_ pattern: TextPattern, behavior: SplitBehavior, invert: Bool = false) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    public func preTokenize(_ string: inout PreTokenizedString) throws {
        try string.refine { scalars, piece, output in
            let shift = piece.lowerBound
            try output.split(piece, behavior: behavior, invert: invert) { match in
                try pattern.forEachMatch(in: UnsafeBufferPointer(rebasing: scalars[piece])) {
                    match($0.lowerBound + shift..<$0.upperBound + shift)
                }
            }
        }
    }

    public var json: JSONValue {
        .object([("type", .string("Split")), ("pattern", pattern.json), ("behavior", .string(behavior.rawValue)),
                 ("invert", .bool(invert))])
    }
}
