import DSPrepSupport

/// A pre-tokenization stage: refines the pieces (words) of normalized text.
public protocol PreTokenizer: Sendable {
    func preTokenize(_ string: inout PreTokenizedString) throws
    var json: JSONValue { get }
}

extension PreTokenizer {
    /// Pre-tokenizes each of `pieces` on its own and replaces them by their words.
    public func preTokenize(_ pieces: inout [NormalizedString]) throws {
        var string = PreTokenizedString()
        var words: [NormalizedString] = []
        for piece in pieces {
            string.load(piece)
            try preTokenize(&string)
            words += string.words
        }
        pieces = words
    }
}

/// How a split keeps the characters it splits on (HF `SplitDelimiterBehavior`).
public enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
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
