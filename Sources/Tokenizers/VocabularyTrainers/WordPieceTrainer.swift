import DSPrepSupport

/// Trains a WordPiece vocabulary the way HF's `WordPieceTrainer` does: it is a BPE trainer
/// whose non-initial symbols carry the continuation prefix, and the learned vocabulary (not the
/// merges) becomes a WordPiece model.
///
/// Vocabulary order: special tokens; the alphabet (each scalar seen in the words, weighted by
/// word count, plus `initialAlphabet`; only the `limitAlphabet` most frequent when set) in
/// scalar order; `##`-prefixed alphabet symbols as the words first use them; then one token per
/// merge. A merge of `a` and `##b` makes `ab`. HF iterates words in hash order where dsprep
/// uses first-seen order, so ids may differ from HF's while the procedure is the same.
public struct WordPieceTrainer: Sendable {
    public var vocabularySize = 30_000
    /// Stop merging when the best pair occurs fewer times than this.
    public var minFrequency: Int64 = 0
    public var specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    public var limitAlphabet: Int?
    public var initialAlphabet: [UInt32] = []
    public var continuingSubwordPrefix = "##"
    public var unknownToken = "[UNK]"

    public init(vocabularySize: Int = 30_000) {
        self.vocabularySize = vocabularySize
    }

    /// The normalizer of the trained tokenizer; words are counted after it. The default is BERT
    /// cased (HF's `BertWordPieceTokenizer(lowercase=False, strip_accents=False)`); uncased
    /// BERT lowercases and strips accents.
    public var normalizer = BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: false)
    public static let preTokenizer = BertPreTokenizer()

    /// The vocabulary, tokens in id order. `progress` gets the vocabulary size as it grows.
    public func train(_ words: WordCounts, progress: (Int) -> Void = { _ in }) throws -> [String] {
        guard vocabularySize > 0 else { throw InputError("the vocabulary size must be positive") }
        var table = SymbolTable()
        for token in specialTokens { table.intern(Array(token.utf8)) }
        for scalar in alphabet(of: words) { table.intern(scalar.utf8Bytes) }

        let prefix = Array(continuingSubwordPrefix.utf8)
        // Symbol ids by scalar, alone and continuing (-1: not yet known / not in the alphabet).
        var alone = [Int32](repeating: -1, count: 0x11_0000)
        var continuing = [Int32](repeating: -1, count: 0x11_0000)
        for id in 0..<table.count where table.bytes(Int32(id)).count <= 4 {
            let scalars = table.string(Int32(id)).unicodeScalars
            if scalars.count == 1, let scalar = scalars.first { alone[Int(scalar.value)] = Int32(id) }
        }
        var symbols: [Int32] = []
        var wordStarts: [Int32] = [0]
        symbols.reserveCapacity(words.scalars.count)
        wordStarts.reserveCapacity(words.count + 1)
        for index in 0..<words.count {
            var first = true
            for scalar in words.word(index) where scalar < 0x11_0000 {
                // Scalars outside the alphabet are dropped from the word, as HF does.
                let single = alone[Int(scalar)]
                guard single >= 0 else { continue }
                if first || prefix.isEmpty {
                    symbols.append(single)
                } else if continuing[Int(scalar)] >= 0 {
                    symbols.append(continuing[Int(scalar)])
                } else {
                    let id = table.intern(prefix + scalar.utf8Bytes)
                    continuing[Int(scalar)] = id
                    symbols.append(id)
                }
                first = false
            }
            wordStarts.append(Int32(symbols.count))
        }

        var merger = PairMerger(symbols: symbols, wordStarts: wordStarts, weights: words.counts)
        symbols = []
        merger.run(until: vocabularySize, minFrequency: minFrequency, symbolTable: &table, join: { left, right, table in
            let tail = table.bytes(right)
            let stripped = !prefix.isEmpty && tail.starts(with: prefix) ? tail.dropFirst(prefix.count) : tail
            return Array(table.bytes(left)) + stripped
        }, progress: progress)
        return table.strings
    }

    /// The alphabet in scalar order: every scalar of the words, `initialAlphabet` always, and
    /// with `limitAlphabet` only that many (the most frequent; ties keep the smaller scalar).
    func alphabet(of words: WordCounts) -> [UInt32] {
        var counts: [UInt32: Int64] = [:]
        for index in 0..<words.count {
            let weight = words.counts[index]
            for scalar in words.word(index) { counts[scalar, default: 0] += weight }
        }
        for scalar in initialAlphabet { counts[scalar] = Int64.max }
        var kept = counts.map { (scalar: $0.key, count: $0.value) }
        if let limitAlphabet, kept.count > limitAlphabet {
            kept.sort { $0.count != $1.count ? $0.count > $1.count : $0.scalar < $1.scalar }
            kept.removeLast(kept.count - max(0, limitAlphabet))
        }
        return kept.map(\.scalar).sorted()
    }

    /// A BERT-style tokenizer over `vocabulary`: cased BertNormalizer, BertPreTokenizer,
    /// WordPiece, `[CLS] $A [SEP]` template (when both are special tokens), WordPiece decoder;
    /// the special tokens are added tokens, as HF's trainer leaves them.
    public func tokenizer(vocabulary: [String]) throws -> Tokenizer {
        let entries = vocabulary.enumerated().map { ($0.element, Int32($0.offset)) }
        let model = WordPiece(vocabulary: entries, unkToken: unknownToken, continuingSubwordPrefix: continuingSubwordPrefix)
        let added = specialTokens.compactMap { token in model.id(of: token).map { AddedToken(id: $0, content: token) } }
        var postProcessor: PostProcessor?
        if let cls = model.id(of: "[CLS]"), let sep = model.id(of: "[SEP]"), specialTokens.contains("[CLS]"), specialTokens.contains("[SEP]") {
            postProcessor = try TemplateProcessing(
                single: "[CLS] $A [SEP]", pair: "[CLS] $A [SEP] $B:1 [SEP]:1",
                specialTokens: [.init(id: "[CLS]", ids: [cls], tokens: ["[CLS]"]), .init(id: "[SEP]", ids: [sep], tokens: ["[SEP]"])])
        }
        return try Tokenizer(normalizer: normalizer, preTokenizer: Self.preTokenizer, model: model,
                             postProcessor: postProcessor, decoder: WordPieceDecoder(prefix: continuingSubwordPrefix),
                             addedTokens: added)
    }

    /// `vocab.txt`: one token per line in id order.
    public static func vocabularyText(_ vocabulary: [String]) -> String {
        vocabulary.map { $0 + "\n" }.joined()
    }
}
