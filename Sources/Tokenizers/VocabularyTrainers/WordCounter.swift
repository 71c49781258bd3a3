import DSPrepSupport

/// Splits texts into words the way the tokenizer being trained will (its normalizer, then its
/// pre-tokenizer, exactly as HF's `Tokenizer.train` feeds its trainer) and counts them, in
/// parallel. Texts arrive in batches; the counts do not depend on batch sizes or threads.
public struct WordCounter {
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let threads: Int
    /// The words counted so far, and the texts seen.
    public private(set) var counted = CountedTexts()
    public var words: WordCounts { counted.words }
    public var textCount: Int { counted.texts }
    /// The one-pass splitter when the pipeline is a cased BERT one.
    private var splitter: BertWordSplitter?

    public init(normalizer: Normalizer?, preTokenizer: PreTokenizer?, threads: Int) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.threads = max(1, threads)
        splitter = BertWordSplitter(normalizer: normalizer, preTokenizer: preTokenizer)
    }

    /// The same counter without the one-pass splitter (for tests that compare the two).
    func usingGenericPipeline() -> WordCounter {
        var copy = self
        copy.splitter = nil
        return copy
    }

    /// Counts the words of `count` texts; `utf8(i)` gives text `i` as UTF-8 (invalid bytes
    /// become U+FFFD). Each thread counts a contiguous range; the partial counts are merged in
    /// range order, so first-seen order is the order of the texts.
    public mutating func add(_ count: Int, utf8: (Int) -> UnsafeRawBufferPointer) throws {
        guard count > 0 else { return }
        let chunks = min(count, threads)
        let partial = try Parallel.map(chunks, threads: threads) { chunk -> WordCounts in
            var local = WordCounts()
            var scalars: [UInt32] = []
            var word: [UInt32] = []
            for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) {
                WordCounter.decode(utf8(index), into: &scalars)
                if let splitter {
                    scalars.withUnsafeBufferPointer { splitter.forEachWord($0, word: &word) { local.add($0) } }
                } else {
                    try countWords(of: scalars, into: &local)
                }
            }
            return local
        }
        for part in partial { counted.words.merge(part) }
        counted.texts += count
    }

    /// Adds the counts of texts counted apart (by another process, with the same normalizer and
    /// pre-tokenizer), as if they were read here next.
    public mutating func add(_ next: CountedTexts) {
        counted.append(next)
    }

    /// Counts the words of `texts` (for callers that hold strings rather than column bytes).
    public mutating func add(_ texts: [String]) throws {
        try PackedTexts.withUTF8(texts) { count, utf8 in try add(count, utf8: utf8) }
    }

    func countWords(of scalars: [UInt32], into counts: inout WordCounts) throws {
        guard !scalars.isEmpty else { return }
        var normalized = NormalizedString(scalars: scalars)
        try normalizer?.normalize(&normalized)
        guard !normalized.isEmpty else { return }
        var pieces = [normalized]
        try preTokenizer?.preTokenize(&pieces)
        for piece in pieces where !piece.isEmpty {
            piece.scalars.withUnsafeBufferPointer { counts.add($0) }
        }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, into scalars: inout [UInt32]) {
        scalars.removeAll(keepingCapacity: true)
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): scalars.append(scalar.value)
            case .emptyInput: return
            case .error: scalars.append(0xFFFD)
            }
        }
    }
}
