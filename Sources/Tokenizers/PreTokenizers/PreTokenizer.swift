import DSPrepSupport

/// A pre-tokenization stage: refines a list of pieces (words) of normalized text.
public protocol PreTokenizer: Sendable {
    func preTokenize(_ pieces: inout [NormalizedString]) throws
    var json: JSONValue { get }
}

/// How a split keeps the characters it splits on (HF `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

extension NormalizedString {
    /// Splits on each scalar matching `isDelimiter`, as HF's `NormalizedString::split` with a
    /// character pattern: every delimiter scalar is its own match; empty pieces are dropped.
    func split(behavior: SplitBehavior, where isDelimiter: (UInt32) -> Bool) -> [NormalizedString] {
        split(behavior: behavior, matches: (0..<count).filter { isDelimiter(scalars[$0]) }.map { $0..<$0 + 1 })
    }

    /// Splits at `matches` (ascending, non-overlapping, possibly empty), as HF's
    /// `NormalizedString::split`; `invert` swaps matches and the text between them (HF `Invert`).
    /// Empty pieces are dropped.
    func split<M: Sequence>(behavior: SplitBehavior, matches found: M, invert: Bool = false) -> [NormalizedString]
    where M.Element == Range<Int> {
        // The whole text as (range, isMatch), in the order HF's `find_matches` yields them.
        var matches: [(Range<Int>, Bool)] = []
        var last = 0
        for match in found {
            if last < match.lowerBound { matches.append((last..<match.lowerBound, invert)) }
            matches.append((match, !invert))
            last = match.upperBound
        }
        if last < count { matches.append((last..<count, invert)) }
        if matches.count == 1, !matches[0].1 { return count > 0 ? [self] : [] }

        var pieces: [Range<Int>] = []
        switch behavior {
        case .removed: pieces = matches.filter { !$0.1 }.map(\.0)
        case .isolated: pieces = matches.map(\.0)
        case .contiguous:
            var previousMatch = false
            for (range, isMatch) in matches {
                if isMatch == previousMatch, let lastPiece = pieces.last {
                    pieces[pieces.count - 1] = lastPiece.lowerBound..<range.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for (range, isMatch) in matches {
                if isMatch && !previousMatch, let lastPiece = pieces.last {
                    pieces[pieces.count - 1] = lastPiece.lowerBound..<range.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for (range, isMatch) in matches.reversed() {
                if isMatch && !previousMatch, let lastPiece = pieces.last {
                    pieces[pieces.count - 1] = range.lowerBound..<lastPiece.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
            pieces.reverse()
        }
        return pieces.filter { !$0.isEmpty }.map { slice($0) }
    }
}

extension Array where Element == NormalizedString {
    /// Replaces each piece by the pieces `body` splits it into.
    mutating func refine(_ body: (NormalizedString) throws -> [NormalizedString]) rethrows {
        var result: [NormalizedString] = []
        result.reserveCapacity(count)
        for piece in self { result.append(contentsOf: try body(piece).filter { !$0.isEmpty }) }
        self = result
    }
}

/// Builds a pre-tokenizer from its tokenizer.json object.
enum PreTokenizerFactory {
    static func make(_ json: JSONValue, context: JSONContext) throws -> PreTokenizer {
        let type = try context.type(of: json, component: "pre_tokenizer")
        switch type {
        case "BertPreTokenizer": return BertPreTokenizer()
        case "Whitespace": return WhitespacePreTokenizer()
        case "WhitespaceSplit": return WhitespaceSplit()
        case "Punctuation":
            let name = try context.optionalString(json, "behavior") ?? "Isolated"
            guard let behavior = SplitBehavior(rawValue: name) else {
                throw context.failure("unknown split behavior \"\(name)\" in \"Punctuation\"")
            }
            return PunctuationPreTokenizer(behavior: behavior)
        case "Digits": return DigitsPreTokenizer(individualDigits: try context.bool(json, "individual_digits", default: false))
        case "Metaspace":
            let replacement = try context.optionalString(json, "replacement") ?? "▁"
            guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
                throw context.failure("Metaspace replacement must be one character, got \"\(replacement)\"")
            }
            let schemeName = try context.optionalString(json, "prepend_scheme")
                ?? (try context.bool(json, "add_prefix_space", default: true) ? "always" : "never")
            guard let scheme = MetaspacePreTokenizer.PrependScheme(rawValue: schemeName) else {
                throw context.failure("unknown Metaspace prepend_scheme \"\(schemeName)\"", hint: "expected always, first or never")
            }
            return MetaspacePreTokenizer(replacement: scalar.value, prependScheme: scheme,
                                         split: try context.bool(json, "split", default: true))
        case "Split":
            let name = try context.string(json, "behavior")
            guard let behavior = SplitBehavior(rawValue: name) else {
                throw context.failure("unknown split behavior \"\(name)\" in \"Split\"",
                                      hint: "expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
            }
            return SplitPreTokenizer(try TextPattern.make(try context.value(json, "pattern"), context: context, component: "Split"),
                                     behavior: behavior, invert: try context.bool(json, "invert", default: false))
        case "Sequence":
            let items = try context.array(json, "pretokenizers")
            return PreTokenizerSequence(try items.map { try make($0, context: context) })
        default:
            throw context.unsupported("pre_tokenizer", type, supported:
                "BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, Digits, Metaspace, Split, Sequence")
        }
    }
}
