import DSPrepSupport

/// BERT's text cleanup (HF `BertNormalizer`): drop control characters and map whitespace to
/// spaces, surround CJK ideographs with spaces, strip accents (NFD, then drop Mn), lowercase.
public struct BertNormalizer: Normalizer {
    public var cleanText: Bool
    public var handleChineseChars: Bool
    /// nil follows `lowercase`, as in HF.
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    public var stripsAccents: Bool { stripAccents ?? lowercase }

    public func normalize(_ string: inout NormalizedString) {
        if cleanText {
            string.filter { !CharacterClasses.flags($0).contains(.control) }
            string.map { CharacterClasses.flags($0).contains(.whitespace) ? 0x20 : $0 }
        }
        if handleChineseChars, string.scalars.contains(where: { CharacterClasses.flags($0).contains(.chinese) }) {
            var changes: [NormalizedString.Change] = []
            changes.reserveCapacity(string.count + 16)
            for scalar in string.scalars {
                if CharacterClasses.flags(scalar).contains(.chinese) {
                    changes.append(.init(0x20, 0))
                    changes.append(.init(scalar, 1))
                    changes.append(.init(0x20, 1))
                } else {
                    changes.append(.init(scalar, 0))
                }
            }
            string.transform(changes)
        }
        if stripsAccents {
            string.normalize(.nfd)
            string.filter { !CharacterClasses.flags($0).contains(.nonspacingMark) }
        }
        if lowercase { string.lowercase() }
    }

    public var json: JSONValue {
        .object([("type", .string("BertNormalizer")), ("clean_text", .bool(cleanText)),
                 ("handle_chinese_chars", .bool(handleChineseChars)),
                 ("strip_accents", stripAccents.map(JSONValue.bool) ?? .null), ("lowercase", .bool(lowercase))])
    }
}
