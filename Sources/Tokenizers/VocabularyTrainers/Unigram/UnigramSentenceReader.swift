import DSPrepSupport

/// Stage 1 of Unigram training: turns input texts into counted words, as sentencepiece's
/// `TrainerInterface::LoadSentences` and `SplitSentencesByWhitespace` do:
/// - texts that are empty, longer than `maxSentenceLength` bytes, or hold the reserved U+2585
///   are left out;
/// - each text is normalized with the model's own normalizer (charsmap, spaces → U+2581 with a
///   dummy prefix);
/// - special and user-defined pieces found in the normalized text become boundaries (sentencepiece
///   replaces them by a tab no piece may contain, which cuts the text in the same places);
/// - with `splitByWhitespace`, a word starts at every U+2581.
/// Texts are read in parallel in contiguous ranges whose counts are merged in range order, so
/// the words and their first-seen order do not depend on the thread count.
struct UnigramSentenceReader {
    let normalizer: SentencePieceNormalizer
    /// Special, user-defined and byte pieces: the text they match is cut out.
    let metaPieces: DoubleArrayTrie?
    let splitByWhitespace: Bool
    let maxSentenceLength: Int
    let threads: Int
    /// The words counted so far, and the texts kept for training.
    private(set) var counted = CountedTexts()

    static let wordStart: UInt32 = 0x2581
    /// sentencepiece's reserved character for unknown text (kUNKChar): texts holding it are skipped.
    static let reservedBytes: [UInt8] = [0xE2, 0x96, 0x85]

    init(normalizer: SentencePieceNormalizer, metaPieces: [[UInt8]], splitByWhitespace: Bool,
         maxSentenceLength: Int, threads: Int) {
        self.normalizer = normalizer
        self.metaPieces = metaPieces.isEmpty ? nil
            : DoubleArrayTrie(keys: metaPieces.enumerated().map { ($0.element, Int32($0.offset)) })
        self.splitByWhitespace = splitByWhitespace
        self.maxSentenceLength = maxSentenceLength
        self.threads = max(1, threads)
    }

    /// Reads `count` texts; `utf8(i)` gives text `i` as UTF-8.
    mutating func add(_ count: Int, utf8: (Int) -> UnsafeRawBufferPointer) throws {
        guard count > 0 else { return }
        let chunks = min(count, threads)
        let partial = try Parallel.map(chunks, threads: threads) { chunk -> (WordCounts, Int) in
            var local = WordCounts()
            var kept = 0
            let normalized = ScratchBuffer<UInt8>()
            let normToOrig = ScratchBuffer<Int32>()
            var word: [UInt32] = []
            for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) {
                let text = utf8(index).bindMemory(to: UInt8.self)
                guard !text.isEmpty, text.count <= maxSentenceLength, !Self.containsReserved(text) else { continue }
                normalizer.normalize(text, into: normalized, normToOrig: normToOrig)
                guard normalized.count > 0 else { continue }
                kept += 1
                splitWords(normalized.buffer, word: &word) { local.add($0) }
            }
            return (local, kept)
        }
        for (part, kept) in partial { counted.append(CountedTexts(words: part, texts: kept)) }
    }

    /// Adds the counts of texts read apart (with the same options), as if they were read here next.
    mutating func add(_ next: CountedTexts) {
        counted.append(next)
    }

    private static func containsReserved(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < text.count {
            if text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x85 { return true }
            i += 1
        }
        return false
    }

    /// Calls `body` with each word of normalized UTF-8 `text` as scalars.
    private func splitWords(_ text: UnsafeBufferPointer<UInt8>, word: inout [UInt32],
                            _ body: (UnsafeBufferPointer<UInt32>) -> Void) {
        guard let base = text.baseAddress else { return }
        word.removeAll(keepingCapacity: true)
        func flush() {
            if !word.isEmpty { word.withUnsafeBufferPointer(body) }
            word.removeAll(keepingCapacity: true)
        }
        var position = 0
        while position < text.count {
            if let metaPieces {
                let matched = metaPieces.longestPrefix(base + position, count: text.count - position)
                if matched > 0 {
                    flush()
                    position += matched
                    continue
                }
            }
            let (scalar, length) = Self.decodeScalar(base + position, text.count - position)
            if scalar == Self.wordStart && splitByWhitespace { flush() }
            word.append(scalar)
            position += length
        }
        flush()
    }

    /// The scalar at `start` of normalizer output (well-formed UTF-8; U+FFFD for anything else).
    @inline(__always)
    static func decodeScalar(_ start: UnsafePointer<UInt8>, _ remaining: Int) -> (UInt32, Int) {
        let length = SentencePieceNormalizer.validSequenceLength(start, remaining)
        switch length {
        case 1: return (UInt32(start[0]), 1)
        case 2: return (UInt32(start[0] & 0x1F) << 6 | UInt32(start[1] & 0x3F), 2)
        case 3: return (UInt32(start[0] & 0x0F) << 12 | UInt32(start[1] & 0x3F) << 6 | UInt32(start[2] & 0x3F), 3)
        case 4:
            return (UInt32(start[0] & 0x07) << 18 | UInt32(start[1] & 0x3F) << 12 | UInt32(start[2] & 0x3F) << 6
                | UInt32(start[3] & 0x3F), 4)
        default: return (0xFFFD, 1)
        }
    }
}
