import DSPrepSupport

/// WordPiece (BERT): greedy longest-match-first over a word's scalars; pieces after the first
/// carry the continuation prefix ("##"); a word with any unmatched part, or longer than
/// `maxInputCharsPerWord` scalars, becomes the single unknown token.
public struct WordPiece: Model {
    public let unkToken: String
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    /// Token strings by id (nil for ids the vocabulary skips).
    let tokens: [String?]
    /// Every vocabulary entry, as written.
    let vocabulary: ByteVocabulary
    /// Entries that start with the prefix, keyed without it (so lookups never build "##" + piece).
    let continuations: ByteVocabulary
    /// Longest entry in scalars: a candidate longer than this cannot match, so search starts there.
    let longestPiece: Int
    let longestContinuation: Int
    let unkID: Int32?

    /// `vocabulary` lists (token, id) pairs; ids need not be dense.
    public init(vocabulary entries: [(String, Int32)], unkToken: String = "[UNK]",
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) {
        self.unkToken = unkToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        var full = ByteVocabulary(capacity: entries.count)
        var continuing = ByteVocabulary(capacity: entries.count / 2 + 1)
        var byID = [String?](repeating: nil, count: (entries.map { Int($0.1) }.max() ?? -1) + 1)
        var longest = 0, longestContinuing = 0
        let prefix = Array(continuingSubwordPrefix.utf8)
        let prefixScalars = continuingSubwordPrefix.unicodeScalars.count
        for (token, id) in entries where id >= 0 {
            byID[Int(id)] = token
            full.insert(token.utf8, id: id)
            let scalars = token.unicodeScalars.count
            longest = max(longest, scalars)
            let bytes = Array(token.utf8)
            if !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) {
                continuing.insert(bytes[prefix.count...], id: id)
                longestContinuing = max(longestContinuing, scalars - prefixScalars)
            }
        }
        // A repeated token keeps its last id (HF builds a map); the earlier id then has no token.
        for (token, id) in entries where id >= 0 && full.lookup(token) != id { byID[Int(id)] = nil }
        tokens = byID
        vocabulary = full
        continuations = continuing
        longestPiece = longest
        longestContinuation = prefix.isEmpty ? longest : longestContinuing
        unkID = full.lookup(unkToken)
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(of token: String) -> Int32? { vocabulary.lookup(token) }
    public func token(of id: Int32) -> String? { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil }

    public func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws {
        let count = word.scalarCount
        guard count > 0 else { return }
        if count > maxInputCharsPerWord { return try appendUnknown(word, into: &sink) }
        let rollback = sink.count
        let matched: Bool = word.utf8.withUnsafeBufferPointer { utf8 in
            word.boundaries.withUnsafeBufferPointer { boundaries in
                var start = 0
                while start < count {
                    let table = start == 0 || continuingSubwordPrefix.isEmpty ? vocabulary : continuations
                    let longest = start == 0 || continuingSubwordPrefix.isEmpty ? longestPiece : longestContinuation
                    var end = min(count, start + longest)
                    var found: Int32? = nil
                    while end > start {
                        let lower = Int(boundaries[start]), upper = Int(boundaries[end])
                        let piece = UnsafeBufferPointer(rebasing: utf8[lower..<upper])
                        if let id = table.lookup(piece) { found = id; break }
                        end -= 1
                    }
                    guard let id = found else { return false }
                    sink.append(id, start: word.starts[start], end: word.ends[end - 1])
                    start = end
                }
                return true
            }
        }
        if !matched {
            sink.removeLast(sink.count - rollback)
            try appendUnknown(word, into: &sink)
        }
    }

    private func appendUnknown(_ word: WordBuffer, into sink: inout TokenSink) throws {
        guard let unkID else {
            throw InputError("the WordPiece unknown token \"\(unkToken)\" is not in the vocabulary",
                             hint: "add it to the vocabulary or set unk_token to an existing token")
        }
        sink.append(unkID, start: word.starts[0], end: word.ends[word.scalarCount - 1])
    }

    public var json: JSONValue {
        var vocab: [(String, JSONValue)] = []
        vocab.reserveCapacity(vocabulary.count)
        for (id, token) in tokens.enumerated() { if let token { vocab.append((token, .number(Double(id)))) } }
        return .object([("type", .string("WordPiece")), ("unk_token", .string(unkToken)),
                         ("continuing_subword_prefix", .string(continuingSubwordPrefix)),
                         ("max_input_chars_per_word", .number(Double(maxInputCharsPerWord))),
                         ("vocab", .object(vocab))])
    }
}

extension TokenSink {
    mutating func removeLast(_ k: Int) {
        ids.removeLast(k)
        starts.removeLast(k)
        ends.removeLast(k)
    }
}
