import DSPrepSupport

/// WordPiece (BERT): greedy longest-match-first over a word's scalars; pieces after the first
/// carry the continuation prefix ("##"); a word with any unmatched part, or longer than
/// `maxInputCharsPerWord` scalars, becomes the single unknown token.
public struct WordPiece: TokenizerModel {
    public let unkToken: String
    public let continuingSubwordPrefix: String
    public let maxInputCharsPerWord: Int
    /// Token strings by id (nil for ids the vocabulary skips).
    let tokens: [String?]
    /// Every vocabulary entry, as written (for `id(of:)`).
    let vocabulary: ByteVocabulary
    /// The entries as tries over scalars for the greedy match: first pieces, and continuation
    /// pieces keyed without their prefix (so matching never builds "##" + piece).
    let trie: WordPieceTrie
    let unkID: Int32?

    /// `vocabulary` lists (token, id) pairs; ids need not be dense.
    public init(vocabulary entries: [(String, Int32)], unkToken: String = "[UNK]",
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100) {
        self.unkToken = unkToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        var full = ByteVocabulary(capacity: entries.count)
        var byID = [String?](repeating: nil, count: (entries.map { Int($0.1) }.max() ?? -1) + 1)
        var firstEntries: [([UInt32], Int32)] = [], continuationEntries: [([UInt32], Int32)] = []
        let prefix = continuingSubwordPrefix.unicodeScalars.map(\.value)
        for (token, id) in entries where id >= 0 {
            byID[Int(id)] = token
            full.insert(token.utf8, id: id)
            let scalars = token.unicodeScalars.map(\.value)
            firstEntries.append((scalars, id))
            if !prefix.isEmpty, scalars.count > prefix.count, scalars.starts(with: prefix) {
                continuationEntries.append((Array(scalars[prefix.count...]), id))
            }
        }
        // A repeated token keeps its last id (HF builds a map); the earlier id then has no token.
        for (token, id) in entries where id >= 0 && full.lookup(token) != id { byID[Int(id)] = nil }
        tokens = byID
        vocabulary = full
        trie = WordPieceTrie(firstEntries: firstEntries, continuationEntries: continuationEntries, sharedRoots: prefix.isEmpty)
        unkID = full.lookup(unkToken)
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(of token: String) -> Int32? { vocabulary.lookup(token) }
    public func token(of id: Int32) -> String? { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil }

    public func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws {
        let count = word.scalarCount
        guard count > 0 else { return }
        let starts = word.starts, ends = word.ends, utf8 = word.utf8, boundaries = word.boundaries
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: count) { scalars in
            // The word's own UTF-8 (well-formed, as WordBuffer encodes it), decoded scalar by scalar.
            for index in 0..<count {
                let at = Int(boundaries[index]), length = Int(boundaries[index + 1]) - at
                var value = UInt32(utf8[at])
                if length > 1 {
                    value &= 0x7F >> UInt32(length)
                    for offset in 1..<length { value = value << 6 | UInt32(utf8[at + offset] & 0x3F) }
                }
                scalars[index] = value
            }
            try withMatcher { try $0.tokenize(UnsafeBufferPointer(scalars), starts: starts, ends: ends, into: &sink) }
        }
    }

    /// Runs `body` with a matcher over raw views of the vocabulary, for hot loops.
    func withMatcher<R>(_ body: (Matcher) throws -> R) rethrows -> R {
        try trie.withView {
            try body(Matcher(trie: $0, maxInputCharsPerWord: maxInputCharsPerWord, unkID: unkID, unkToken: unkToken))
        }
    }

    /// The greedy longest-match-first tokenizer of one word, over a raw view of the trie.
    struct Matcher {
        let trie: WordPieceTrie.View
        let maxInputCharsPerWord: Int
        let unkID: Int32?
        let unkToken: String

        /// Tokenizes one non-empty word of `scalars`, whose original offsets are `starts`/`ends`.
        @inline(__always)
        func tokenize(_ scalars: UnsafeBufferPointer<UInt32>, starts: UnsafeBufferPointer<Int32>,
                      ends: UnsafeBufferPointer<Int32>, into sink: inout TokenSink) throws {
            let rollback = sink.count
            let matched = scalars.count <= maxInputCharsPerWord && matchPieces(scalars) { id, first, last in
                sink.append(id, start: starts[first], end: ends[last - 1])
            }
            if !matched {
                guard let unkID else {
                    throw InputError("the WordPiece unknown token \"\(unkToken)\" is not in the vocabulary",
                                     hint: "add it to the vocabulary or set unk_token to an existing token")
                }
                sink.removeLast(sink.count - rollback)
                sink.append(unkID, start: starts[0], end: ends[scalars.count - 1])
            }
        }

        /// Greedy longest match over a word's scalars, calling `emit(id, startScalar, endScalar)`
        /// per piece; false (after some calls, maybe) when a part matches no entry.
        ///
        /// Walking forward down the trie: extend the candidate one scalar at a time while some
        /// entry starts with it, remembering the last extension that is a whole entry. This finds
        /// the same piece as HF's "try the longest substring first, then shorter", in O(piece
        /// length) steps.
        @inline(__always)
        private func matchPieces(_ scalars: UnsafeBufferPointer<UInt32>, emit: (Int32, Int, Int) -> Void) -> Bool {
            let count = scalars.count
            var start = 0
            while start < count {
                guard var position = trie.start(start > 0 ? .continuation : .first, scalars[start]) else { return false }
                var end = start + 1
                var found: Int32 = -1, foundEnd = start
                while true {
                    let id = position.node & WordPieceTrie.idMask
                    if id != 0 {
                        found = Int32(id - 1)
                        foundEnd = end
                    }
                    guard position.node & WordPieceTrie.hasChildren != 0, end < count,
                          let next = trie.next(position, scalars[end]) else { break }
                    position = next
                    end += 1
                }
                guard found >= 0 else { return false }
                emit(found, start, foundEnd)
                start = foundEnd
            }
            return true
        }
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
