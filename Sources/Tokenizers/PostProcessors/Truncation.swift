import DSPrepSupport

/// Cutting encodings to a maximum length (HF `TruncationParams`), with optional overlapping
/// overflow windows (`stride`).
public struct Truncation: Sendable, Equatable {
    public enum Strategy: String, Sendable { case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond" }
    public enum Direction: String, Sendable { case left = "Left", right = "Right" }

    public var maxLength: Int
    public var strategy: Strategy
    public var stride: Int
    public var direction: Direction

    public init(maxLength: Int, strategy: Strategy = .longestFirst, stride: Int = 0, direction: Direction = .right) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.stride = stride
        self.direction = direction
    }

    init(json: JSONValue, context: JSONContext) throws {
        let strategyName = try context.optionalString(json, "strategy") ?? "LongestFirst"
        guard let strategy = Strategy(rawValue: strategyName) else { throw context.failure("unknown truncation strategy \"\(strategyName)\"") }
        let directionName = try context.optionalString(json, "direction") ?? "Right"
        guard let direction = Direction(rawValue: directionName) else { throw context.failure("unknown truncation direction \"\(directionName)\"") }
        self.init(maxLength: try context.int(json, "max_length"), strategy: strategy,
                  stride: try context.optionalInt(json, "stride") ?? 0, direction: direction)
    }

    public var json: JSONValue {
        .object([("direction", .string(direction.rawValue)), ("max_length", .number(Double(maxLength))),
                 ("strategy", .string(strategy.rawValue)), ("stride", .number(Double(stride)))])
    }

    /// The length the sequences must fit once `addedTokens` special tokens are added; nil when
    /// `maxLength` is below `addedTokens`: HF then truncates nothing (its unsigned
    /// `max_length - added` wraps around to a huge length).
    public func sequenceLength(addedTokens: Int) -> Int? {
        maxLength >= addedTokens ? maxLength - addedTokens : nil
    }

    /// The tokens a single sequence of `count` tokens keeps, leaving room for `addedTokens`
    /// special tokens: what `apply` keeps of it, without building the overflowing windows (the
    /// flat `encodeIDs` path), with the same errors.
    public func keptRange(single count: Int, addedTokens: Int) throws -> Range<Int> {
        guard let maxLength = sequenceLength(addedTokens: addedTokens), count > maxLength else { return 0..<count }
        guard maxLength > 0 else { return 0..<0 }
        if strategy == .onlySecond { throw Self.missingPair(total: count, maxLength: maxLength) }
        guard stride < maxLength else { throw Self.strideTooLong(stride, maxLength: maxLength) }
        return direction == .right ? 0..<maxLength : count - maxLength..<count
    }

    static func missingPair(total: Int, maxLength: Int) -> InputError {
        InputError("truncation only_second needs a pair of sequences: this input has one, of \(total) tokens, "
                   + "over the \(maxLength) that fit", hint: "use longest_first or only_first for single sequences")
    }

    /// HF panics here; a stride of the window or more would never move on.
    static func strideTooLong(_ stride: Int, maxLength: Int) -> InputError {
        InputError("truncation stride \(stride) must be less than the \(maxLength) tokens a window of this input keeps "
                   + "(max_length minus the special tokens, shared between the two sequences of a pair)",
                   hint: "lower the stride or raise max_length")
    }

    /// Truncates a sequence and its pair to leave room for `addedTokens` special tokens (HF
    /// `TokenizerImpl::post_process` step 1).
    func apply(_ first: inout Encoding, _ second: inout Encoding?, addedTokens: Int) throws {
        guard let length = sequenceLength(addedTokens: addedTokens) else { return }
        try apply(&first, &second, maxLength: length)
    }

    /// Truncates a sequence (and its pair) so that together they fit `maxLength` (HF
    /// `truncate_encodings`); cut-off parts go to `overflowing`.
    func apply(_ first: inout Encoding, _ second: inout Encoding?, maxLength: Int) throws {
        guard maxLength > 0 else {
            try first.truncate(to: 0, stride: stride, direction: direction)
            try second?.truncate(to: 0, stride: stride, direction: direction)
            return
        }
        let total = first.ids.count + (second?.ids.count ?? 0)
        guard total > maxLength else { return }
        let toRemove = total - maxLength
        switch strategy {
        case .longestFirst:
            guard var other = second else {
                try first.truncate(to: total - toRemove, stride: stride, direction: direction)
                return
            }
            var short = first.ids.count, long = other.ids.count
            let swapped = short > long
            if swapped { swap(&short, &long) }
            long = short > maxLength ? short : max(short, maxLength - short)
            if short + long > maxLength {
                short = maxLength / 2
                long = short + maxLength % 2
            }
            if swapped { swap(&short, &long) }
            try first.truncate(to: short, stride: stride, direction: direction)
            try other.truncate(to: long, stride: stride, direction: direction)
            second = other
        case .onlyFirst, .onlySecond:
            let which = strategy == .onlyFirst ? "first" : "second"
            guard strategy == .onlyFirst || second != nil else { throw Self.missingPair(total: total, maxLength: maxLength) }
            let targetLength = strategy == .onlyFirst ? first.ids.count : second?.ids.count ?? 0
            guard targetLength > toRemove else {
                throw InputError("truncation only_\(which) cannot fit the pair into \(maxLength) tokens: \(toRemove) must go "
                                 + "but the \(which) sequence has \(targetLength)",
                                 hint: "raise max_length or use longest_first")
            }
            if strategy == .onlyFirst {
                try first.truncate(to: targetLength - toRemove, stride: stride, direction: direction)
            } else {
                try second?.truncate(to: targetLength - toRemove, stride: stride, direction: direction)
            }
        }
    }
}

extension Encoding {
    /// Keeps `maxLength` tokens; the rest becomes overflowing windows that overlap by `stride`
    /// (HF `Encoding::truncate`). A stride of `maxLength` or more would never move on: HF
    /// stops with a panic there, this throws.
    mutating func truncate(to maxLength: Int, stride: Int, direction: Truncation.Direction) throws {
        let length = ids.count
        guard maxLength < length else { return }
        if maxLength == 0 {
            let whole = self
            self = Encoding()
            overflowing = [whole]
            return
        }
        guard stride < maxLength else { throw Truncation.strideTooLong(stride, maxLength: maxLength) }
        let step = maxLength - stride
        var windows: [Range<Int>] = []
        switch direction {
        case .right:
            var start = 0
            while true {
                let stop = min(start + maxLength, length)
                windows.append(start..<stop)
                if stop == length { break }
                start += step
            }
        case .left:
            var stop = length
            while true {
                let start = max(0, stop - maxLength)
                windows.append(start..<stop)
                if start == 0 { break }
                stop -= step
            }
        }
        let whole = self
        self = whole.window(windows[0])
        overflowing = windows.dropFirst().map { whole.window($0) }
    }

    func window(_ range: Range<Int>) -> Encoding {
        var result = Encoding()
        result.ids = Array(ids[range])
        result.tokens = Array(tokens[range])
        result.offsets = Array(offsets[range])
        result.typeIds = Array(typeIds[range])
        result.attentionMask = Array(attentionMask[range])
        result.specialTokensMask = Array(specialTokensMask[range])
        return result
    }
}
