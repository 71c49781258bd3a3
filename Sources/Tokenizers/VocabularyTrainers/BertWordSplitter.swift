/// The words of a cased BertNormalizer (no lowercasing, no accent stripping) followed by
/// BertPreTokenizer, in one pass with no intermediate strings: what the WordPiece trainer
/// counts. Exact because every step of that normalizer maps one scalar to at most one scalar
/// (or to one scalar with spaces around it), so no scalar depends on its neighbours:
/// control characters vanish, whitespace ends a word, CJK ideographs and punctuation are words
/// of their own. `WordCounter` uses the generic pipeline for any other configuration; a test
/// checks both give the same words.
struct BertWordSplitter {
    let cleanText: Bool
    let handleChineseChars: Bool

    init?(normalizer: Normalizer?, preTokenizer: PreTokenizer?) {
        guard let bert = normalizer as? BertNormalizer, !bert.lowercase, !bert.stripsAccents,
              preTokenizer is BertPreTokenizer else { return nil }
        cleanText = bert.cleanText
        handleChineseChars = bert.handleChineseChars
    }

    /// Calls `body` with each word of `scalars`, in order; `word` is scratch space.
    func forEachWord(_ scalars: UnsafeBufferPointer<UInt32>, word: inout [UInt32],
                     _ body: (UnsafeBufferPointer<UInt32>) -> Void) {
        word.removeAll(keepingCapacity: true)
        for scalar in scalars {
            let flags = CharacterClasses.flags(scalar)
            if cleanText && flags.contains(.control) { continue }
            if flags.contains(.whitespace) {
                if !word.isEmpty { word.withUnsafeBufferPointer(body) }
                word.removeAll(keepingCapacity: true)
            } else if flags.contains(.punctuation) || (handleChineseChars && flags.contains(.chinese)) {
                if !word.isEmpty { word.withUnsafeBufferPointer(body) }
                word.removeAll(keepingCapacity: true)
                var single = scalar
                withUnsafePointer(to: &single) { body(UnsafeBufferPointer(start: $0, count: 1)) }
            } else {
                word.append(scalar)
            }
        }
        if !word.isEmpty { word.withUnsafeBufferPointer(body) }
    }
}
