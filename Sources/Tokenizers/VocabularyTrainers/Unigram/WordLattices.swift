import DSPrepSupport
import Foundation

/// The lattice of every distinct word: each place a vocabulary piece occurs in it (sentencepiece
/// rebuilds these per sentence from a trie at every EM step; here they are found once, from the
/// seed vocabulary, and only shrink as pieces are pruned). A character that no single-character
/// piece covers any more gets an unknown node (piece -1) scored `minScore - 10`, as
/// sentencepiece's `PopulateNodes` does.
///
/// Nodes of a word are ordered by start, so one pass in node order is a forward pass and one in
/// reverse order a backward pass. Per-node results are reduced into per-piece sums in node order:
/// the totals do not depend on how the words were split between threads.
struct WordLattices {
    /// `span = start << 8 | length`, both in characters of the word.
    struct Node {
        var piece: Int32
        var span: UInt32
        @inline(__always) var start: Int { Int(span >> 8) }
        @inline(__always) var end: Int { Int(span >> 8) + Int(span & 0xFF) }
    }

    private(set) var nodes: [Node] = []
    /// Word `w`'s nodes are `nodes[nodeStarts[w] ..< nodeStarts[w + 1]]`.
    private(set) var nodeStarts: [Int] = [0]
    let wordLengths: [Int]
    let counts: [Int64]
    /// Per piece: a word it occurs in and where (the piece's own text, for pruning).
    private(set) var occurrenceWord: [Int32]
    private(set) var occurrenceStart: [Int32]
    let threads: Int

    static let unknownPenalty: Float = 10

    init(words: WordCounts, validity: PieceValidity, substrings: SubstringCounts, seeds: SeedPieces, threads: Int) throws {
        let threads = max(1, threads)
        self.threads = threads
        occurrenceWord = []
        occurrenceStart = []
        counts = words.counts
        wordLengths = (0..<words.count).map { Int(words.starts[$0 + 1] - words.starts[$0]) }
        let chunks = Self.chunks(words.count, threads: threads)
        let parts = try validity.classes.withUnsafeBufferPointer { classes in
            try Parallel.map(chunks.count, threads: threads) { chunk -> ([Node], [Int]) in
                var local: [Node] = []
                var ends: [Int] = []
                for word in chunks[chunk] {
                    // The same walk as the counting one, reading the entry each occurrence recorded.
                    var next = substrings.occurrenceStarts[word]
                    let wordStart = Int(words.starts[word]), end = Int(words.starts[word + 1])
                    for start in wordStart..<end {
                        validity.forEachValidLength(start: start, end: end, classes: classes) { length in
                            let piece = seeds.piece(of: substrings.occurrences[next])
                            next += 1
                            if piece >= 0 {
                                local.append(Node(piece: piece, span: UInt32(start - wordStart) << 8 | UInt32(length)))
                            }
                        }
                    }
                    ends.append(local.count)
                }
                return (local, ends)
            }
        }
        nodes.reserveCapacity(parts.reduce(0) { $0 + $1.0.count })
        for (local, ends) in parts {
            let base = nodes.count
            nodes += local
            nodeStarts += ends.map { $0 + base }
        }
        occurrenceWord = [Int32](repeating: -1, count: seeds.offsets.count)
        occurrenceStart = [Int32](repeating: -1, count: seeds.offsets.count)
        for word in 0..<counts.count {
            for node in nodes[nodeStarts[word]..<nodeStarts[word + 1]] where occurrenceWord[Int(node.piece)] < 0 {
                occurrenceWord[Int(node.piece)] = Int32(word)
                occurrenceStart[Int(node.piece)] = Int32(node.start)
            }
        }
    }

    /// Contiguous word ranges, a few per thread (any split gives the same results).
    static func chunks(_ count: Int, threads: Int) -> [Range<Int>] {
        let parts = min(max(count, 1), 4 * threads)
        return (0..<parts).map { (count * $0 / parts)..<(count * ($0 + 1) / parts) }
    }

    /// Keeps the pieces with `newID[old] >= 0`, renumbered; positions left without a
    /// single-character piece get an unknown node.
    mutating func keep(_ newID: [Int32]) {
        var kept: [Node] = []
        kept.reserveCapacity(nodes.count)
        var starts = [0]
        starts.reserveCapacity(nodeStarts.count)
        for word in 0..<counts.count {
            var index = nodeStarts[word]
            let end = nodeStarts[word + 1]
            while index < end {
                let start = nodes[index].start
                var covered = false
                while index < end && nodes[index].start == start {
                    var node = nodes[index]
                    index += 1
                    if node.piece >= 0 {
                        node.piece = newID[Int(node.piece)]
                        if node.piece < 0 { continue }
                    }
                    if node.span & 0xFF == 1 { covered = true }
                    kept.append(node)
                }
                if !covered { kept.append(Node(piece: -1, span: UInt32(start) << 8 | 1)) }
            }
            starts.append(kept.count)
        }
        nodes = kept
        nodeStarts = starts
        var word = [Int32](repeating: -1, count: newID.count)
        var start = [Int32](repeating: -1, count: newID.count)
        for (old, new) in newID.enumerated() where new >= 0 {
            word[Int(new)] = occurrenceWord[old]
            start[Int(new)] = occurrenceStart[old]
        }
        occurrenceWord = Array(word.prefix(newID.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }))
        occurrenceStart = Array(start.prefix(occurrenceWord.count))
    }

    // MARK: - E step

    /// Expected count of every piece under the current scores (forward-backward over each word,
    /// weighted by the word's count).
    func expectedCounts(scores: [Float], unknownScore: Float) throws -> [Double] {
        var marginals = [Float](repeating: 0, count: nodes.count)
        let chunks = Self.chunks(counts.count, threads: threads)
        let probabilities = scores.map { exp(Double($0)) }
        // Every position has a node scoring at least `unknownScore`, so a path sum over n
        // characters is at least exp(n × unknownScore): plain probabilities cannot underflow
        // below this length, and save every exp/log of the log-space pass.
        let linearLength = Int(600 / max(1, -Double(unknownScore)))
        try marginals.withUnsafeMutableBufferPointer { marginals in
            try nodes.withUnsafeBufferPointer { nodes in
                try scores.withUnsafeBufferPointer { scores in
                    try probabilities.withUnsafeBufferPointer { probabilities in
                        _ = try Parallel.map(chunks.count, threads: threads) { chunk in
                            var alpha: [Double] = []
                            var beta: [Double] = []
                            for word in chunks[chunk] {
                                if wordLengths[word] <= linearLength {
                                    forwardBackward(word, nodes: nodes, probabilities: probabilities,
                                                    unknownProbability: exp(Double(unknownScore)),
                                                    alpha: &alpha, beta: &beta, marginals: marginals)
                                } else {
                                    forwardBackward(word, nodes: nodes, scores: scores, unknownScore: Double(unknownScore),
                                                    alpha: &alpha, beta: &beta, marginals: marginals)
                                }
                            }
                        }
                    }
                }
            }
        }
        var expected = [Double](repeating: 0, count: scores.count)
        for (node, marginal) in zip(nodes, marginals) where node.piece >= 0 { expected[Int(node.piece)] += Double(marginal) }
        return expected
    }

    @inline(__always)
    private static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
    }

    /// Forward-backward on probabilities (short words).
    private func forwardBackward(_ word: Int, nodes: UnsafeBufferPointer<Node>, probabilities: UnsafeBufferPointer<Double>,
                                 unknownProbability: Double, alpha: inout [Double], beta: inout [Double],
                                 marginals: UnsafeMutableBufferPointer<Float>) {
        let length = wordLengths[word]
        let first = nodeStarts[word], end = nodeStarts[word + 1]
        alpha.removeAll(keepingCapacity: true)
        alpha.append(contentsOf: repeatElement(0, count: length + 1))
        beta.removeAll(keepingCapacity: true)
        beta.append(contentsOf: repeatElement(0, count: length + 1))
        alpha[0] = 1
        beta[length] = 1
        @inline(__always) func probability(_ node: Node) -> Double {
            node.piece >= 0 ? probabilities[Int(node.piece)] : unknownProbability
        }
        for index in first..<end {
            let node = nodes[index]
            alpha[node.end] += alpha[node.start] * probability(node)
        }
        var index = end
        while index > first {
            index -= 1
            let node = nodes[index]
            beta[node.start] += probability(node) * beta[node.end]
        }
        let scale = Double(counts[word]) / alpha[length]
        for index in first..<end {
            let node = nodes[index]
            marginals[index] = Float(alpha[node.start] * probability(node) * beta[node.end] * scale)
        }
    }

    /// Forward-backward in log space (long texts, where probabilities could underflow).
    private func forwardBackward(_ word: Int, nodes: UnsafeBufferPointer<Node>, scores: UnsafeBufferPointer<Float>,
                                 unknownScore: Double, alpha: inout [Double], beta: inout [Double],
                                 marginals: UnsafeMutableBufferPointer<Float>) {
        let length = wordLengths[word]
        let first = nodeStarts[word], end = nodeStarts[word + 1]
        alpha.removeAll(keepingCapacity: true)
        alpha.append(contentsOf: repeatElement(-.infinity, count: length + 1))
        beta.removeAll(keepingCapacity: true)
        beta.append(contentsOf: repeatElement(-.infinity, count: length + 1))
        alpha[0] = 0
        beta[length] = 0
        @inline(__always) func score(_ node: Node) -> Double { node.piece >= 0 ? Double(scores[Int(node.piece)]) : unknownScore }
        for index in first..<end {
            let node = nodes[index]
            alpha[node.end] = Self.logAdd(alpha[node.end], alpha[node.start] + score(node))
        }
        var index = end
        while index > first {
            index -= 1
            let node = nodes[index]
            beta[node.start] = Self.logAdd(beta[node.start], score(node) + beta[node.end])
        }
        let total = alpha[length]
        let times = Double(counts[word])
        for index in first..<end {
            let node = nodes[index]
            marginals[index] = Float(times * exp(alpha[node.start] + score(node) + beta[node.end] - total))
        }
    }

    // MARK: - Viterbi

    /// How often each piece is in the best segmentation of the words (weighted by word counts).
    func viterbiCounts(scores: [Float], unknownScore: Float) throws -> [Double] {
        var onPath = [Bool](repeating: false, count: nodes.count)
        let chunks = Self.chunks(counts.count, threads: threads)
        try onPath.withUnsafeMutableBufferPointer { onPath in
            try nodes.withUnsafeBufferPointer { nodes in
                try scores.withUnsafeBufferPointer { scores in
                    _ = try Parallel.map(chunks.count, threads: threads) { chunk in
                        var best: [(score: Float, node: Int)] = []
                        var path: [Int] = []
                        for word in chunks[chunk] {
                            let range = nodeStarts[word]..<nodeStarts[word + 1]
                            guard Self.bestPath(range, length: wordLengths[word], nodes: nodes, excluding: -1, scores: scores,
                                                unknownScore: unknownScore, best: &best, path: &path) else { continue }
                            for index in path { onPath[index] = true }
                        }
                    }
                }
            }
        }
        var frequencies = [Double](repeating: 0, count: scores.count)
        for word in 0..<counts.count {
            for index in nodeStarts[word]..<nodeStarts[word + 1] where onPath[index] && nodes[index].piece >= 0 {
                frequencies[Int(nodes[index].piece)] += Double(counts[word])
            }
        }
        return frequencies
    }

    /// Puts in `path` the node indices of the best path through `range` (nodes starting at
    /// `offset` or later and ending by `offset + length`), leaving out node `excluding`, last
    /// node first; false when there is no path. Ties keep the earlier node. `best[length].score`
    /// is then the path's score.
    static func bestPath(_ range: Range<Int>, offset: Int = 0, length: Int, nodes: UnsafeBufferPointer<Node>,
                         excluding: Int, scores: UnsafeBufferPointer<Float>, unknownScore: Float,
                         best: inout [(score: Float, node: Int)], path: inout [Int]) -> Bool {
        best.removeAll(keepingCapacity: true)
        best.append(contentsOf: repeatElement((score: -Float.infinity, node: -1), count: length + 1))
        best[0].score = 0
        for index in range where index != excluding {
            let node = nodes[index]
            let start = node.start - offset, end = node.end - offset
            guard start >= 0, end <= length, best[start].score > -.infinity else { continue }
            let candidate = best[start].score + (node.piece >= 0 ? scores[Int(node.piece)] : unknownScore)
            if best[end].node < 0 || candidate > best[end].score { best[end] = (candidate, index) }
        }
        path.removeAll(keepingCapacity: true)
        guard best[length].node >= 0 || length == 0 else { return false }
        var position = length
        while position > 0 {
            let index = best[position].node
            path.append(index)
            position = nodes[index].start - offset
        }
        return true
    }
}
