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
    /// Every vocabulary entry, as written (for `id(of:)`).
    let vocabulary: ByteVocabulary
    /// Matching tables with prefix-only entries: every entry and its scalar-boundary prefixes
    /// (for a word's first piece), and the same for entries with the continuation prefix, keyed
    /// without it (so lookups never build "##" + piece).
    let firstPieces: ByteVocabulary
    let continuations: ByteVocabulary
    let unkID: Int32?

    /// `vocabulary` lists (token, id) pairs; ids need not be dense.
    public init(vocabulary entries: [(String, Int32)], unkToken: String = "[UNK]",
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) {
        self.unkToken = unkToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        var full = ByteVocabulary(capacity: entries.count)
        var first = ByteVocabulary(capacity: entries.count * 3)
        var continuing = ByteVocabulary(capacity: entries.count * 2)
        var byID = [String?](repeating: nil, count: (entries.map { Int($0.1) }.max() ?? -1) + 1)
        let prefix = Array(continuingSubwordPrefix.utf8)
        for (token, id) in entries where id >= 0 {
            byID[Int(id)] = token
            let bytes = Array(token.utf8)
            full.insert(bytes, id: id)
            first.insert(bytes, id: id, withPrefixes: true)
            if !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) {
                continuing.insert(bytes[prefix.count...], id: id, withPrefixes: true)
            }
        }
        // A repeated token keeps its last id (HF builds a map); the earlier id then has no token.
        for (token, id) in entries where id >= 0 && full.lookup(token) != id { byID[Int(id)] = nil }
        tokens = byID
        vocabulary = full
        firstPieces = first
        continuations = prefix.isEmpty ? first : continuing
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
        // Greedy longest match, walking forward: extend the candidate one scalar at a time while
        // it is still a prefix of some entry, remembering the last extension that is a whole
        // entry. This finds the same piece as HF's "try the longest substring first, then
        // shorter", in O(piece length) incremental hash probes instead of O(length²) hashes.
        let utf8 = word.utf8, boundaries = word.boundaries, starts = word.starts, ends = word.ends
        let matched: Bool = {
            var start = 0
            while start < count {
                let continuing = start > 0
                let pieceStart = Int(boundaries[start])
                var hash = ByteVocabulary.initialHash
                var end = start, byte = pieceStart
                var found: Int32 = -1, foundEnd = start
                while end < count {
                    let next = Int(boundaries[end + 1])
                    while byte < next {
                        hash = ByteVocabulary.hash(hash, adding: utf8[byte])
                        byte += 1
                    }
                    end += 1
                    let candidate = UnsafeBufferPointer(rebasing: utf8[pieceStart..<next])
                    guard let value = continuing ? continuations.lookup(candidate, hash: hash)
                                                 : firstPieces.lookup(candidate, hash: hash) else { break }
                    if value >= 0 {
                        found = value
                        foundEnd = end
                    }
                }
                guard found >= 0 else { return false }
                sink.append(found, start: starts[start], end: ends[foundEnd - 1])
                start = foundEnd
            }
            return true
        }()
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
