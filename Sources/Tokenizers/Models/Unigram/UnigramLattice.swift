import DSPrepSupport
import Foundation

/// sentencepiece's `Lattice` (src/unigram_model.cc, 0.2.3) over one normalized text: a node
/// for every piece occurrence (and an unknown node for a character no piece covers alone),
/// between a BOS node ending at character 0 and an EOS node starting at the last one. It
/// backs what the one-pass Viterbi cannot: the n best segmentations (A* search) and sampling
/// a segmentation with probability ∝ exp(alpha · score) (forward-filtering backward-sampling).
///
/// Positions are in characters (UTF-8 sequences of the normalized text); node scores are the
/// lattice's (a user-defined piece scores `0.1 · (length - 1)`, length in characters).
/// Node order, tie rules and Float arithmetic follow sentencepiece, so n-best lists match it.
struct UnigramLattice {
    struct Node {
        var id: Int32
        /// First character and length in characters.
        var position: Int32
        var length: Int32
        var score: Float
        /// Viterbi: best score of a path from BOS through this node.
        var backtraceScore: Float = 0
    }

    /// Node 0 is BOS, node 1 EOS, then the pieces in insertion order (sentencepiece's node ids).
    private(set) var nodes: [Node] = []
    /// Byte offset of each character start in the text, plus the end.
    private(set) var characterOffsets: [Int32] = []
    /// Nodes starting / ending at each character position, in insertion order.
    private var beginNodes: [[Int32]] = []
    private var endNodes: [[Int32]] = []

    static let bos: Int32 = 0
    static let eos: Int32 = 1

    var characterCount: Int { characterOffsets.count - 1 }

    /// Builds the lattice of normalized `text` for `model` (sentencepiece's `PopulateNodes`).
    init(_ text: UnsafeBufferPointer<UInt8>, model: UnigramModel) {
        var offset = 0
        while offset < text.count {
            characterOffsets.append(Int32(offset))
            offset += min(SentencePieceNormalizer.sequenceLength(text[offset]), text.count - offset)
        }
        characterOffsets.append(Int32(text.count))
        let length = characterCount
        beginNodes = Array(repeating: [], count: length + 1)
        endNodes = Array(repeating: [], count: length + 1)
        nodes.append(Node(id: -1, position: 0, length: 0, score: 0))
        nodes.append(Node(id: -1, position: Int32(length), length: 0, score: 0))
        endNodes[0].append(Self.bos)
        beginNodes[length].append(Self.eos)
        guard let bytes = text.baseAddress else { return }

        let unknownScore = model.unknownScore
        model.encodingTrie.units.withUnsafeBufferPointer { units in
            for begin in 0..<length {
                var hasSingleCharacterNode = false
                var state = 0
                var position = Int(characterOffsets[begin])
                // Walks the trie from this character; `end` is the first character starting at or
                // after the bytes matched so far (sentencepiece counts a partial one as whole).
                var end = begin
                while position < text.count {
                    guard let next = DoubleArrayTrie.child(units, of: state, on: bytes[position]) else { break }
                    state = next
                    position += 1
                    while end < length && Int(characterOffsets[end]) < position { end += 1 }
                    let id = units[next].value
                    guard id >= 0 else { continue }
                    let characters = end - begin
                    let piece = model.pieces[Int(id)]
                    let score = piece.type == .userDefined ? UnigramModel.userDefinedScore(length: characters) : piece.score
                    insert(id: id, position: begin, length: characters, score: score)
                    if characters == 1 { hasSingleCharacterNode = true }
                }
                if !hasSingleCharacterNode {
                    insert(id: model.unkID, position: begin, length: 1, score: unknownScore)
                }
            }
        }
    }

    private mutating func insert(id: Int32, position: Int, length: Int, score: Float) {
        let index = Int32(nodes.count)
        nodes.append(Node(id: id, position: Int32(position), length: Int32(length), score: score))
        beginNodes[position].append(index)
        endNodes[position + length].append(index)
    }

    /// The segment (bytes of the text and piece id) of a node.
    func segment(of node: Int32) -> UnigramModel.Segment {
        let node = nodes[Int(node)]
        return UnigramModel.Segment(start: characterOffsets[Int(node.position)],
                                    end: characterOffsets[Int(node.position + node.length)], id: node.id)
    }

    // MARK: - Viterbi

    /// Fills `backtraceScore` of every node; returns the best path's nodes and score.
    /// Ties keep the first left node in insertion order (sentencepiece's `Viterbi`).
    @discardableResult
    mutating func viterbi() -> (path: [Int32], score: Float) {
        var previous = [Int32](repeating: -1, count: nodes.count)
        for position in 0...characterCount {
            for right in beginNodes[position] {
                var bestScore: Float = 0
                var best: Int32 = -1
                for left in endNodes[position] {
                    let score = nodes[Int(left)].backtraceScore + nodes[Int(right)].score
                    if best < 0 || score > bestScore {
                        best = left
                        bestScore = score
                    }
                }
                guard best >= 0 else { return ([], 0) }
                previous[Int(right)] = best
                nodes[Int(right)].backtraceScore = bestScore
            }
        }
        var path: [Int32] = []
        var node = previous[Int(Self.eos)]
        while node >= 0 && node != Self.bos {
            path.append(node)
            node = previous[Int(node)]
        }
        return (path.reversed(), nodes[Int(Self.eos)].backtraceScore)
    }

    // MARK: - N-best

    /// The `size` best segmentations, best first, with their scores: sentencepiece's A* search
    /// (`Lattice::NBest` without sampling). From EOS, a hypothesis is a partial path x going
    /// left; it pops in order of f(x) = g(x) + h(x), g the scores of its nodes and h the exact
    /// best score from BOS to its left end (Viterbi's backtrace score), so complete paths
    /// reach BOS best first. Like sentencepiece, the agenda is cut to its best
    /// min(512, 10 · size) hypotheses whenever it reaches 10000.
    mutating func nbest(_ size: Int) -> [(path: [Int32], score: Float)] {
        guard size >= 1 else { return [] }
        if size == 1 { return [viterbi()] }
        viterbi()
        // Hypotheses: a node and the hypothesis to its right (toward EOS), with g(x).
        var hypothesisNode: [Int32] = [Self.eos]
        var hypothesisNext: [Int32] = [-1]
        var gx: [Float] = [0]
        var agenda = AgendaHeap()
        agenda.push(nodes[Int(Self.eos)].backtraceScore, 0)
        var results: [(path: [Int32], score: Float)] = []
        while let top = agenda.top {
            agenda.pop()
            let node = hypothesisNode[Int(top.item)]
            if node == Self.bos {
                var path: [Int32] = []
                var next = hypothesisNext[Int(top.item)]
                while next >= 0 && hypothesisNext[Int(next)] >= 0 {
                    path.append(hypothesisNode[Int(next)])
                    next = hypothesisNext[Int(next)]
                }
                results.append((path, top.priority))
                if results.count == size { break }
                continue
            }
            let topG = gx[Int(top.item)]
            for left in endNodes[Int(nodes[Int(node)].position)] {
                let leftNode = nodes[Int(left)]
                hypothesisNode.append(left)
                hypothesisNext.append(top.item)
                gx.append(leftNode.score + topG)
                agenda.push(leftNode.backtraceScore + topG, Int32(gx.count - 1))
            }
            if agenda.count >= 10_000 {
                // Keep the best hypotheses, popped in order into a fresh agenda.
                var kept = AgendaHeap()
                for _ in 0..<min(512, size * 10) {
                    guard let best = agenda.top else { break }
                    kept.push(best.priority, best.item)
                    agenda.pop()
                }
                agenda = kept
            }
        }
        return results
    }

    // MARK: - Sampling

    /// sentencepiece's `LogSumExp`: log(e^x + e^y) in Float, exact max when they are far apart.
    @inline(__always)
    private static func logSumExp(_ x: Float, _ y: Float, initial: Bool) -> Float {
        if initial { return y }
        let low = min(x, y), high = max(x, y)
        if high > low + 50 { return high }
        return high + Float(log(exp(Double(low - high)) + 1))
    }

    /// Forward algorithm: for each node, log of the summed exp(inverseTheta · score) of all
    /// paths from BOS to its start (sentencepiece's `ForwardAlgorithm`).
    func forward(inverseTheta: Float) -> [Float] {
        var alpha = [Float](repeating: 0, count: nodes.count)
        for position in 0...characterCount {
            for right in beginNodes[position] {
                for (index, left) in endNodes[position].enumerated() {
                    alpha[Int(right)] = Self.logSumExp(alpha[Int(right)],
                                                       inverseTheta * nodes[Int(left)].score + alpha[Int(left)],
                                                       initial: index == 0)
                }
            }
        }
        return alpha
    }

    /// One segmentation drawn with probability ∝ exp(inverseTheta · its score), over all
    /// segmentations of the lattice: the forward pass, then from EOS each previous node is
    /// drawn in proportion to exp(alpha[left] + inverseTheta · score(left)) (sentencepiece's
    /// `Lattice::Sample`, with our generator).
    func sample(inverseTheta: Float, using generator: inout SeededGenerator) -> [Int32] {
        guard characterCount > 0 else { return [] }
        let alpha = forward(inverseTheta: inverseTheta)
        var path: [Int32] = []
        var weights: [Double] = []
        var node = Self.eos
        var normalizer = alpha[Int(Self.eos)]
        while true {
            let candidates = endNodes[Int(nodes[Int(node)].position)]
            weights.removeAll(keepingCapacity: true)
            for left in candidates {
                weights.append(exp(Double(alpha[Int(left)] + inverseTheta * nodes[Int(left)].score - normalizer)))
            }
            node = candidates[Self.draw(weights, using: &generator)]
            if node == Self.bos { break }
            normalizer = alpha[Int(node)]
            path.append(node)
        }
        return path.reversed()
    }

    /// An index drawn with probability ∝ `weights` (like `std::discrete_distribution`).
    static func draw(_ weights: [Double], using generator: inout SeededGenerator) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else { return 0 }
        let target = Double(generator.next() >> 11) * 0x1p-53 * total
        var running = 0.0
        for (index, weight) in weights.enumerated() {
            running += weight
            if target < running { return index }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}
