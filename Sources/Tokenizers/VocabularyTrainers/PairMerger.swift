/// The merge loop of a BPE trainer (HF's `BpeTrainer`, which its WordPieceTrainer runs
/// underneath): repeatedly join the most frequent adjacent pair of symbols into a new symbol.
///
/// 1. Words are symbol-id sequences in one flat array, each with its count as a weight.
/// 2. Each pair keeps its total weighted count and the words it (may) occur in; a merge visits
///    only those words and applies the four neighbour changes of each occurrence
///    ((prev, a) → (prev, ab), (b, next) → (ab, next)), so a merge costs its occurrences, not
///    the corpus.
/// 3. A max-heap orders pairs by (count desc, pair asc); entries go stale when counts drop and
///    are re-queued with the current count when popped (lazy deletion), as HF does.
struct PairMerger {
    private var symbols: [Int32] = []
    private var wordStarts: [Int32] = []
    private var wordLengths: [Int32] = []
    private var weights: [Int64] = []

    private var index = PairIndex(capacity: 1 << 16)
    private var pairKeys: [PairKey] = []
    private var pairCounts: [Int64] = []
    /// Words that gained the pair since it was last merged (may repeat a word, may be stale).
    /// One contiguous list per pair: a merge walks it in order, which keeps the walk in cache.
    private var pairWords: [[Int32]] = []
    private var changed: [Bool] = []
    private var changedList: [Int32] = []

    /// Word `i` is `symbols[wordStarts[i] ..< wordStarts[i + 1]]`, occurring `weights[i]` times.
    init(symbols: [Int32], wordStarts: [Int32], weights: [Int64]) {
        self.symbols = symbols
        self.wordStarts = Array(wordStarts.dropLast())
        wordLengths = (0..<weights.count).map { wordStarts[$0 + 1] - wordStarts[$0] }
        self.weights = weights
        // Count every adjacent pair and note which pair each occurrence is, in word order...
        var occurrencePairs: [Int32] = []
        var occurrenceWords: [Int32] = []
        occurrencePairs.reserveCapacity(symbols.count)
        occurrenceWords.reserveCapacity(symbols.count)
        for word in 0..<weights.count {
            var position = Int(wordStarts[word])
            let end = Int(wordStarts[word + 1])
            while position + 1 < end {
                let key = pairKey(symbols[position], symbols[position + 1])
                let (pair, inserted) = index.findOrInsert(key, next: Int32(pairCounts.count))
                if inserted {
                    pairKeys.append(key)
                    pairCounts.append(0)
                }
                pairCounts[Int(pair)] += weights[word]
                occurrencePairs.append(pair)
                occurrenceWords.append(Int32(word))
                position += 1
            }
        }
        // ...then group the occurrences by pair (a counting sort) into one word list per pair:
        // far fewer scattered writes than appending to each pair's list as it is met.
        var listStarts = [Int](repeating: 0, count: pairCounts.count + 1)
        for pair in occurrencePairs { listStarts[Int(pair) + 1] += 1 }
        for pair in 0..<pairCounts.count { listStarts[pair + 1] += listStarts[pair] }
        var grouped = [Int32](repeating: 0, count: occurrencePairs.count)
        var fill = listStarts
        for (pair, word) in zip(occurrencePairs, occurrenceWords) {
            grouped[fill[Int(pair)]] = word
            fill[Int(pair)] += 1
        }
        pairWords = (0..<pairCounts.count).map { pair in
            // Words arrive in increasing order, so a word's repeats are adjacent.
            var list: [Int32] = []
            for word in grouped[listStarts[pair]..<listStarts[pair + 1]] where list.last != word { list.append(word) }
            return list
        }
        changed = [Bool](repeating: false, count: pairCounts.count)
    }

    /// Merges until `symbolTable` holds `vocabularySize` tokens, no pair is left, or the best
    /// count is below `minFrequency`. `join(a, b)` makes the new token's bytes. Returns the
    /// number of merges.
    @discardableResult
    mutating func run(until vocabularySize: Int, minFrequency: Int64, symbolTable: inout SymbolTable,
                      join: (Int32, Int32, SymbolTable) -> [UInt8], progress: (Int) -> Void) -> Int {
        var queue = PairQueue(pairCounts.indices.compactMap { pair in
            pairCounts[pair] > 0 ? PairQueue.Entry(count: pairCounts[pair], key: pairKeys[pair]) : nil
        })
        var visited = [Int32](repeating: -1, count: weights.count)
        var merges: Int32 = 0
        while symbolTable.count < vocabularySize, var top = queue.pop() {
            guard let pair = index.find(top.key) else { continue }
            let current = pairCounts[Int(pair)]
            if top.count != current {
                if current > 0 {
                    top.count = current
                    queue.push(top)
                }
                continue
            }
            if current < 1 || current < minFrequency { break }
            let left = Int32(truncatingIfNeeded: top.key >> 32), right = Int32(truncatingIfNeeded: top.key)
            let merged = symbolTable.intern(join(left, right, symbolTable))
            var words: [Int32] = []
            swap(&words, &pairWords[Int(pair)])
            for word in words where visited[Int(word)] != merges {
                visited[Int(word)] = merges
                merge(word: word, left: left, right: right, into: merged)
            }
            for changedPair in changedList {
                changed[Int(changedPair)] = false
                let count = pairCounts[Int(changedPair)]
                if count > 0 { queue.push(.init(count: count, key: pairKeys[Int(changedPair)])) }
            }
            changedList.removeAll(keepingCapacity: true)
            merges += 1
            if merges & 255 == 0 { progress(symbolTable.count) }
        }
        progress(symbolTable.count)
        return Int(merges)
    }

    /// Replaces every (left, right) in `word` by `merged`, left to right, updating pair counts.
    private mutating func merge(word: Int32, left: Int32, right: Int32, into merged: Int32) {
        let start = Int(wordStarts[Int(word)])
        let end = start + Int(wordLengths[Int(word)])
        let weight = weights[Int(word)]
        var read = start, write = start
        while read < end {
            if read + 1 < end && symbols[read] == left && symbols[read + 1] == right {
                if write > start {
                    let previous = symbols[write - 1]
                    adjust(pairKey(previous, left), by: -weight, word: word)
                    adjust(pairKey(previous, merged), by: weight, word: word)
                }
                adjust(pairKey(left, right), by: -weight, word: word)
                if read + 2 < end {
                    let next = symbols[read + 2]
                    adjust(pairKey(right, next), by: -weight, word: word)
                    adjust(pairKey(merged, next), by: weight, word: word)
                }
                symbols[write] = merged
                read += 2
            } else {
                symbols[write] = symbols[read]
                read += 1
            }
            write += 1
        }
        wordLengths[Int(word)] = Int32(write - start)
    }

    @inline(__always)
    private mutating func adjust(_ key: PairKey, by delta: Int64, word: Int32) {
        let (pair, inserted) = index.findOrInsert(key, next: Int32(pairCounts.count))
        let slot = Int(pair)
        if inserted {
            pairKeys.append(key)
            pairCounts.append(0)
            pairWords.append([])
            changed.append(false)
        }
        pairCounts[slot] += delta
        guard delta > 0 else { return }
        if pairWords[slot].last != word { pairWords[slot].append(word) }
        if !changed[slot] {
            changed[slot] = true
            changedList.append(pair)
        }
    }
}
