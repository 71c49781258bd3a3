import DSPrepSupport

/// HF `Replace` with a `{"Regex": ...}` pattern of the one kind sentencepiece conversions
/// write: a run of one character (`" {2,}"`, `"x+"`), replaced by `content`. Other regexes are
/// refused when the tokenizer.json is read.
public struct ReplaceRepeated: Normalizer {
    public let scalar: UInt32
    public let minimumCount: Int
    public let content: String
    /// The regex as written in the tokenizer.json, written back as is.
    public let regex: String

    /// Parses `c{n,}` or `c+` (c one character, optionally backslash-escaped); nil otherwise.
    public init?(regex: String, content: String) {
        var scalars = Array(regex.unicodeScalars)
        let escaped = scalars.first == "\\"
        if escaped { scalars.removeFirst() }
        guard let first = scalars.first else { return nil }
        // Unescaped metacharacters and escaped letters or digits (\s, \d, ...) are classes.
        let isClass = escaped ? first.properties.isAlphabetic || first.properties.numericType != nil
                              : "\\.[](){}*+?|^$".unicodeScalars.contains(first)
        if isClass { return nil }
        let quantifier = String(String.UnicodeScalarView(scalars.dropFirst()))
        if quantifier == "+" {
            minimumCount = 1
        } else if quantifier.hasPrefix("{"), quantifier.hasSuffix(",}"), let count = Int(quantifier.dropFirst().dropLast(2)),
                  count >= 1 {
            minimumCount = count
        } else {
            return nil
        }
        scalar = first.value
        self.content = content
        self.regex = regex
    }

    /// Each maximal run of at least `minimumCount` copies is one match (the regex is greedy);
    /// the new scalars take the alignment of the match's last scalar, as HF's `replace` does.
    public func normalize(_ string: inout NormalizedString) {
        var runs: [Range<Int>] = []
        var index = 0
        while index < string.count {
            guard string.scalars[index] == scalar else { index += 1; continue }
            var end = index
            while end < string.count && string.scalars[end] == scalar { end += 1 }
            if end - index >= minimumCount { runs.append(index..<end) }
            index = end
        }
        guard !runs.isEmpty else { return }
        let replacement = content.unicodeScalars.map(\.value)
        var changes: [NormalizedString.Change] = []
        changes.reserveCapacity(string.count)
        var position = 0
        for run in runs {
            for kept in position..<run.lowerBound { changes.append(.init(string.scalars[kept], 0)) }
            // Remove the run (after the scalar before it), then insert the content.
            if run.lowerBound > 0, !changes.isEmpty {
                changes[changes.count - 1].change -= run.count
            }
            for value in replacement { changes.append(.init(value, 1)) }
            position = run.upperBound
        }
        for kept in position..<string.count { changes.append(.init(string.scalars[kept], 0)) }
        let initialRemoved = runs[0].lowerBound == 0 ? runs[0].count : 0
        string.transform(changes, initialRemoved: initialRemoved)
    }

    public var json: JSONValue {
        .object([("type", .string("Replace")), ("pattern", .object([("Regex", .string(regex))])),
                 ("content", .string(content))])
    }
}
