import DSPrepSupport

/// A token matched in the raw text before anything else (HF `AddedToken`), e.g. `[CLS]` typed
/// by a user: it becomes its id directly instead of going through the model.
public struct AddedToken: Sendable, Equatable {
    public var id: Int32
    public var content: String
    public var special: Bool
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    /// Matched in the normalized text (true) or in the original text (false).
    public var normalized: Bool

    public init(id: Int32, content: String, special: Bool = true, singleWord: Bool = false, lstrip: Bool = false,
                rstrip: Bool = false, normalized: Bool = false) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
    }

    init(json: JSONValue, context: JSONContext) throws {
        self.init(id: Int32(try context.int(json, "id")), content: try context.string(json, "content"),
                  special: try context.bool(json, "special", default: false),
                  singleWord: try context.bool(json, "single_word", default: false),
                  lstrip: try context.bool(json, "lstrip", default: false),
                  rstrip: try context.bool(json, "rstrip", default: false),
                  normalized: try context.bool(json, "normalized", default: true))
    }

    public var json: JSONValue {
        .object([("id", .number(Double(id))), ("content", .string(content)), ("single_word", .bool(singleWord)),
                 ("lstrip", .bool(lstrip)), ("rstrip", .bool(rstrip)), ("normalized", .bool(normalized)),
                 ("special", .bool(special))])
    }
}

/// The added tokens of a tokenizer, and the leftmost-longest matching that splits text on them.
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    private let original: [Pattern]
    /// Normalized-text tokens, their content normalized the way the text will be.
    private let normalizedPatterns: [Pattern]
    /// Scalars that can start an original-text match: a quick test that most text skips.
    private let firstScalars: Set<UInt32>

    struct Pattern: Sendable {
        var scalars: [UInt32]
        var token: AddedToken
    }

    /// A run of text, or an added token that covers [start, end) of it.
    enum Segment {
        case text(Range<Int>)
        case token(AddedToken, Range<Int>)
    }

    init(_ tokens: [AddedToken], normalizer: Normalizer?) throws {
        self.tokens = tokens
        original = tokens.filter { !$0.normalized && !$0.content.isEmpty }
            .map { Pattern(scalars: $0.content.unicodeScalars.map(\.value), token: $0) }
        normalizedPatterns = try tokens.filter { $0.normalized && !$0.content.isEmpty }.map { token in
            var content = NormalizedString(token.content)
            try normalizer?.normalize(&content)
            return Pattern(scalars: content.scalars, token: token)
        }.filter { !$0.scalars.isEmpty }
        firstScalars = Set(original.compactMap(\.scalars.first))
    }

    var isEmpty: Bool { tokens.isEmpty }
    /// The contents of the tokens matched in the original text.
    var originalContents: [String] { original.map(\.token.content) }
    var hasNormalizedTokens: Bool { !normalizedPatterns.isEmpty }

    /// Splits original text on original-text tokens.
    func split(_ scalars: UnsafeBufferPointer<UInt32>) -> [Segment] {
        if original.isEmpty || !scalars.contains(where: firstScalars.contains) {
            return scalars.isEmpty ? [] : [.text(0..<scalars.count)]
        }
        return AddedVocabulary.split(scalars, patterns: original)
    }

    /// Splits a normalized piece on normalized-text tokens.
    func split(normalized piece: NormalizedString) -> [(NormalizedString, AddedToken?)] {
        guard hasNormalizedTokens else { return [(piece, nil)] }
        let segments = piece.scalars.withUnsafeBufferPointer { AddedVocabulary.split($0, patterns: normalizedPatterns) }
        return segments.map { segment in
            switch segment {
            case let .text(range): return (piece.slice(range), nil)
            case let .token(token, range): return (piece.slice(range), token)
            }
        }
    }

    private static func split(_ scalars: UnsafeBufferPointer<UInt32>, patterns: [Pattern]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0, position = 0
        let count = scalars.count
        while position < count {
            // Leftmost-longest: the longest pattern that matches at the first position that has one.
            var best: Pattern? = nil
            for pattern in patterns where pattern.scalars.count <= count - position
                && (best == nil || pattern.scalars.count > best!.scalars.count) {
                var matches = true
                for offset in 0..<pattern.scalars.count where scalars[position + offset] != pattern.scalars[offset] {
                    matches = false
                    break
                }
                if matches { best = pattern }
            }
            guard let match = best else { position += 1; continue }
            var start = position, stop = position + match.scalars.count
            position = stop
            if match.token.singleWord {
                let before = start > 0 && isWordScalar(scalars[start - 1])
                let after = stop < count && isWordScalar(scalars[stop])
                if before || after { continue }
            }
            if match.token.lstrip {
                while start > textStart, CharacterClasses.flags(scalars[start - 1]).contains(.whitespace) { start -= 1 }
            }
            if match.token.rstrip {
                while stop < count, CharacterClasses.flags(scalars[stop]).contains(.whitespace) { stop += 1 }
                position = stop
            }
            if textStart < start { segments.append(.text(textStart..<start)) }
            segments.append(.token(match.token, start..<stop))
            textStart = stop
        }
        if textStart < count { segments.append(.text(textStart..<count)) }
        return segments
    }

    /// Rust `char::is_alphanumeric`, what HF's single_word check uses.
    private static func isWordScalar(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isAlphabetic || CharacterClasses.isNumeric(value)
    }
}
