import Foundation
import XCTest
@testable import Training

/// Forward values worked by hand from each layer's definition, and gradients checked against
/// central finite differences.
final class LayerTests: XCTestCase {
    func testLinear() {
        let n = 3, c = 4, oc = 5
        let x = randomBuffer(n * c, seed: 1), w = randomBuffer(oc * c, seed: 2), bias = randomBuffer(oc, seed: 3)
        let dx = FloatBuffer(count: n * c), dw = FloatBuffer(count: oc * c), db = FloatBuffer(count: oc)
        let out = FloatBuffer(count: n * oc), r = randomBuffer(n * oc, seed: 4)
        Linear.forward(out: out.pointer, inp: x.pointer, weight: w.pointer, bias: bias.pointer, n: n, c: c, oc: oc)
        // out[i][o] = bias[o] + Σ_j x[i][j]·w[o][j]
        for i in 0..<n {
            for o in 0..<oc {
                var expected = bias[o]
                for j in 0..<c { expected += x[i * c + j] * w[o * c + j] }
                XCTAssertEqual(out[i * oc + o], expected, accuracy: 1e-5)
            }
        }
        checkGradients([Checked(name: "x", value: x, grad: dx), Checked(name: "w", value: w, grad: dw),
                        Checked(name: "b", value: bias, grad: db)]) {
            Linear.forward(out: out.pointer, inp: x.pointer, weight: w.pointer, bias: bias.pointer, n: n, c: c, oc: oc)
            return weightedSum(out.pointer, r)
        } backward: {
            Linear.backward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: r.pointer,
                            inp: x.pointer, weight: w.pointer, n: n, c: c, oc: oc)
        }
    }

    func testLayerNorm() {
        // Row [1,2,3] with weight 1, bias 0: mean 2, variance 2/3 → (x−2)/√(2/3 + 1e-12)
        let x1 = FloatBuffer(count: 3), ones = FloatBuffer(count: 3), zeros = FloatBuffer(count: 3)
        for j in 0..<3 { x1[j] = Float(j + 1); ones[j] = 1 }
        let y1 = FloatBuffer(count: 3), m1 = FloatBuffer(count: 1), s1 = FloatBuffer(count: 1)
        LayerNorm.forward(out: y1.pointer, mean: m1.pointer, rstd: s1.pointer, inp: x1.pointer, weight: ones.pointer,
                          bias: zeros.pointer, n: 1, c: 3)
        let sd = (2.0 / 3.0).squareRoot()
        XCTAssertEqual(m1[0], 2)
        for j in 0..<3 { XCTAssertEqual(Double(y1[j]), Double(j - 1) / sd, accuracy: 1e-6) }

        let n = 4, c = 6
        let x = randomBuffer(n * c, seed: 5, scale: 2), w = randomBuffer(c, seed: 6), bias = randomBuffer(c, seed: 7)
        let dx = FloatBuffer(count: n * c), dw = FloatBuffer(count: c), db = FloatBuffer(count: c)
        let out = FloatBuffer(count: n * c), mean = FloatBuffer(count: n), rstd = FloatBuffer(count: n)
        let r = randomBuffer(n * c, seed: 8)
        checkGradients([Checked(name: "x", value: x, grad: dx), Checked(name: "w", value: w, grad: dw),
                        Checked(name: "b", value: bias, grad: db)], epsilon: 1e-3) {
            LayerNorm.forward(out: out.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: x.pointer,
                              weight: w.pointer, bias: bias.pointer, n: n, c: c)
            return weightedSum(out.pointer, r)
        } backward: {
            LayerNorm.backward(dinp: dx.pointer, dweight: dw.pointer, dbias: db.pointer, dout: r.pointer, inp: x.pointer,
                               weight: w.pointer, mean: mean.pointer, rstd: rstd.pointer, n: n, c: c)
        }
    }

    func testGELUAndTanh() {
        // The tanh approximation at a few points, evaluated in Double from its formula.
        let points: [Float] = [-3, -1, -0.5, 0, 0.5, 1, 3]
        let x = FloatBuffer(count: points.count), y = FloatBuffer(count: points.count)
        for (i, v) in points.enumerated() { x[i] = v }
        GELU.forward(out: y.pointer, inp: x.pointer, count: points.count)
        for (i, v) in points.enumerated() {
            let d = Double(v)
            let expected = 0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))
            XCTAssertEqual(Double(y[i]), expected, accuracy: 1e-6)
        }
        XCTAssertEqual(y[5], 0.841192, accuracy: 1e-5)  // gelu_tanh(1), as in PyTorch's docs tables

        let n = 50
        let inp = randomBuffer(n, seed: 9, scale: 3), dinp = FloatBuffer(count: n)
        let out = FloatBuffer(count: n), r = randomBuffer(n, seed: 10)
        checkGradients([Checked(name: "gelu", value: inp, grad: dinp)], epsilon: 1e-3) {
            GELU.forward(out: out.pointer, inp: inp.pointer, count: n)
            return weightedSum(out.pointer, r)
        } backward: {
            GELU.backward(dinp: dinp.pointer, dout: r.pointer, inp: inp.pointer, count: n)
        }
        checkGradients([Checked(name: "tanh", value: inp, grad: dinp)], epsilon: 1e-3) {
            Tanh.forward(out: out.pointer, inp: inp.pointer, count: n)
            return weightedSum(out.pointer, r)
        } backward: {
            Tanh.backward(dinp: dinp.pointer, dout: r.pointer, out: out.pointer, count: n)
        }
    }

    /// Padding keys get no attention: with key 2 of the sequence masked, every query reads only
    /// V of keys 0 and 1; with Q = 0 the weights are uniform, so the output is their mean.
    func testAttentionMaskByHand() {
        let t = 3, c = 2
        let qkv = FloatBuffer(count: t * 3 * c)
        for ti in 0..<t {
            for j in 0..<c {
                qkv[ti * 3 * c + c + j] = Float(ti + j)          // K: anything
                qkv[ti * 3 * c + 2 * c + j] = Float(10 * ti + j)  // V
            }
        }
        let bias = FloatBuffer(count: t)
        bias[2] = Attention.maskedBias
        let spans = SequenceSpans(lengths: [t], heads: 1)
        let out = FloatBuffer(count: t * c), att = FloatBuffer(count: spans.scoreCount)
        Attention.forward(out: out.pointer, att: att.pointer, qkv: qkv.pointer, keyBias: bias.pointer, spans: spans,
                          dropout: nil, c: c)
        for ti in 0..<t {
            XCTAssertEqual(out[ti * c], 5, accuracy: 1e-5)      // (0 + 10)/2
            XCTAssertEqual(out[ti * c + 1], 6, accuracy: 1e-5)  // (1 + 11)/2
            XCTAssertEqual(att[ti * t + 2], 0)
        }
    }

    /// Sequences of different lengths packed together (one with a masked key), two heads.
    func testAttentionGradients() {
        for dropoutProbability in [Float(0), 0.3] {
            let c = 6
            let spans = SequenceSpans(lengths: [4, 2, 3], heads: 2)
            let n = spans.rowCount
            let qkv = randomBuffer(n * 3 * c, seed: 11), dqkv = FloatBuffer(count: n * 3 * c)
            let bias = FloatBuffer(count: n)
            bias[8] = Attention.maskedBias
            let out = FloatBuffer(count: n * c), att = FloatBuffer(count: spans.scoreCount)
            let datt = FloatBuffer(count: spans.scoreCount), dropped = FloatBuffer(count: spans.scoreCount)
            let dropout = dropoutProbability > 0
                ? Attention.ProbabilityDropout(probability: dropoutProbability, random: CounterRandom(seed: 7), stream: 3)
                : nil
            let r = randomBuffer(n * c, seed: 12)
            checkGradients([Checked(name: "qkv p=\(dropoutProbability)", value: qkv, grad: dqkv)], samples: 200, epsilon: 1e-3) {
                Attention.forward(out: out.pointer, att: att.pointer, qkv: qkv.pointer, keyBias: bias.pointer, spans: spans,
                                  dropout: dropout, dropped: dropped.pointer, c: c)
                return weightedSum(out.pointer, r)
            } backward: {
                Attention.backward(dqkv: dqkv.pointer, datt: datt.pointer, dout: r.pointer, att: att.pointer,
                                   qkv: qkv.pointer, dropout: dropout, spans: spans, c: c)
            }
        }
    }

    func testDropout() {
        let n = 100_000, p: Float = 0.25, random = CounterRandom(seed: 1)
        let x = randomBuffer(n, seed: 13), y = FloatBuffer(count: n)
        Dropout.apply(out: y.pointer, inp: x.pointer, count: n, probability: p, random: random, stream: 9)
        // the mask is CounterRandom's draw for (stream, element)
        let mask = (0..<n).map { random.uniform(stream: 9, index: UInt64($0)) < p ? 0 : 1 / (1 - p) }
        XCTAssertEqual(Double(mask.filter { $0 == 0 }.count) / Double(n), 0.25, accuracy: 0.01)
        for i in 0..<n { XCTAssertEqual(y[i], x[i] * mask[i]) }
        // Same seed and stream → the same mask, so the backward regenerates it; another stream → a different one.
        let again = FloatBuffer(count: n), other = FloatBuffer(count: n)
        Dropout.apply(out: again.pointer, inp: x.pointer, count: n, probability: p, random: random, stream: 9)
        Dropout.apply(out: other.pointer, inp: x.pointer, count: n, probability: p, random: random, stream: 10)
        XCTAssertEqual(y.toArray(), again.toArray())
        XCTAssertNotEqual(y.toArray(), other.toArray())
        // in place, and from an offset into the stream, as split tensors use it
        let dy = randomBuffer(n, seed: 14), dx = FloatBuffer(count: n)
        dx.pointer.update(from: dy.pointer, count: n)
        Dropout.apply(out: dx.pointer, inp: dx.pointer, count: n, probability: p, random: random, stream: 9)
        for i in 0..<n { XCTAssertEqual(dx[i], dy[i] * mask[i]) }
        Dropout.apply(out: dx.pointer, inp: dy.pointer + 100, count: 50, probability: p, random: random, stream: 9, firstIndex: 100)
        for i in 0..<50 { XCTAssertEqual(dx[i], dy[100 + i] * mask[100 + i]) }
    }

    /// Six packed rows of two sequences (positions 0, 1, 2 and 0, 2, 3: the second skipped a
    /// padding position), repeated ids.
    func testEmbeddings() {
        let n = 6, c = 4, vocab = 5, positionCount = 4, types = 2
        let ids: [Int32] = [1, 4, 1, 0, 2, 2], typeIds: [Int32] = [0, 0, 1, 0, 1, 1], positions: [Int32] = [0, 1, 2, 0, 2, 3]
        let wte = randomBuffer(vocab * c, seed: 15), wpe = randomBuffer(positionCount * c, seed: 16)
        let wtt = randomBuffer(types * c, seed: 17)
        let dwte = RowSparseGradient(rows: vocab, width: c), dwpe = FloatBuffer(count: positionCount * c)
        let dwtt = FloatBuffer(count: types * c)
        let out = FloatBuffer(count: n * c), r = randomBuffer(n * c, seed: 18)
        ids.withUnsafeBufferPointer { ids in
            typeIds.withUnsafeBufferPointer { typeIds in
                positions.withUnsafeBufferPointer { positions in
                    func forward() {
                        Embeddings.forward(out: out.pointer, ids: ids.baseAddress!, positions: positions.baseAddress!,
                                           types: typeIds.baseAddress!, wte: wte.pointer, wpe: wpe.pointer, wtt: wtt.pointer,
                                           n: n, c: c)
                    }
                    forward()
                    // row 5: word 2, position 3, type 1
                    for j in 0..<c { XCTAssertEqual(out[5 * c + j], wte[2 * c + j] + wpe[3 * c + j] + wtt[c + j]) }
                    checkGradients([Checked(name: "wte", value: wte, grad: dwte), Checked(name: "wpe", value: wpe, grad: dwpe),
                                    Checked(name: "wtt", value: wtt, grad: dwtt)]) {
                        forward()
                        return weightedSum(out.pointer, r)
                    } backward: {
                        Embeddings.backward(dwte: dwte, dwpe: dwpe.pointer, dwtt: dwtt.pointer, dout: r.pointer,
                                            ids: ids.baseAddress!, positions: positions.baseAddress!, types: typeIds.baseAddress!,
                                            n: n, c: c)
                    }
                    // ids 1, 4, 0, 2 have gradients, in slots by first appearance; 3 has none
                    XCTAssertEqual(dwte.touchedRows, [1, 4, 0, 2])
                    XCTAssertNil(dwte.slot(ofRow: 3))
                }
            }
        }
    }

    func testEmbeddingBag() {
        let vocab = 6, buckets = 4, d = 3
        let ids: [Int32] = [1, 2, 3, 0, 5, 5, 0, 0], mask: [Int32] = [1, 1, 1, 0, 1, 1, 0, 0]
        var rows: [[Int32]] = [[], []]
        ids.withUnsafeBufferPointer { ids in
            mask.withUnsafeBufferPointer { mask in
                for bi in 0..<2 {
                    EmbeddingBag.features(ids: ids.baseAddress! + bi * 4, mask: mask.baseAddress! + bi * 4, t: 4,
                                          vocabSize: vocab, buckets: buckets, into: &rows[bi])
                }
            }
        }
        // 3 unigrams + 2 bigrams, then 2 unigrams + 1 bigram; bigram rows land in vocab..<vocab+buckets
        XCTAssertEqual(Array(rows[0].prefix(3)), [1, 2, 3])
        XCTAssertEqual(rows[0].count, 5)
        XCTAssertEqual(Array(rows[1].prefix(2)), [5, 5])
        XCTAssertEqual(rows[1].count, 3)
        XCTAssertTrue((rows[0] + rows[1]).allSatisfy { $0 >= 0 && $0 < vocab + buckets })
        let table = randomBuffer((vocab + buckets) * d, seed: 19), dtable = FloatBuffer(count: (vocab + buckets) * d)
        let out = FloatBuffer(count: 2 * d), r = randomBuffer(2 * d, seed: 20)
        EmbeddingBag.forward(out: out.pointer, table: table.pointer, featureRows: rows, d: d)
        for j in 0..<d {
            let expected = rows[1].map { table[Int($0) * d + j] }.reduce(0, +) / 3
            XCTAssertEqual(out[d + j], expected, accuracy: 1e-6)
        }
        checkGradients([Checked(name: "table", value: table, grad: dtable)]) {
            EmbeddingBag.forward(out: out.pointer, table: table.pointer, featureRows: rows, d: d)
            return weightedSum(out.pointer, r)
        } backward: {
            EmbeddingBag.backward(dtable: dtable.pointer, dout: r.pointer, featureRows: rows, d: d)
        }
    }

    func testPooling() {
        let c = 2
        let x = randomBuffer(3 * c, seed: 21), dx = FloatBuffer(count: 3 * c)
        let out = FloatBuffer(count: 2 * c), r = randomBuffer(2 * c, seed: 22)
        // packed sequences of 2 and 1 rows; the second sequence's row is padding the packing kept
        let spans = SequenceSpans(lengths: [2, 1], heads: 1)
        let keyBias: [Float] = [0, 0, Attention.maskedBias]
        keyBias.withUnsafeBufferPointer { keyBias in
            let k = keyBias.baseAddress!
            Pooling.spanMeanForward(out: out.pointer, inp: x.pointer, keyBias: k, spans: spans, c: c)
            XCTAssertEqual(out[0], (x[0] + x[2]) / 2, accuracy: 1e-6)
            XCTAssertEqual(out[1], (x[1] + x[3]) / 2, accuracy: 1e-6)
            XCTAssertEqual(Array(out.toArray()[2...]), [0, 0], "a sequence without tokens pools to 0, as sentence-transformers")
            checkGradients([Checked(name: "mean", value: x, grad: dx)]) {
                Pooling.spanMeanForward(out: out.pointer, inp: x.pointer, keyBias: k, spans: spans, c: c)
                return weightedSum(out.pointer, r)
            } backward: {
                Pooling.spanMeanBackward(dinp: dx.pointer, dout: r.pointer, keyBias: k, spans: spans, c: c)
            }
        }
        // [CLS] rows are 0 and 2
        Pooling.clsForward(out: out.pointer, inp: x.pointer, spans: spans, c: c)
        XCTAssertEqual(out.toArray(), [x[0], x[1], x[4], x[5]])
        checkGradients([Checked(name: "cls", value: x, grad: dx)]) {
            Pooling.clsForward(out: out.pointer, inp: x.pointer, spans: spans, c: c)
            return weightedSum(out.pointer, r)
        } backward: {
            Pooling.clsBackward(dinp: dx.pointer, dout: r.pointer, spans: spans, c: c)
        }
    }

    func testCosineSimilarity() {
        let n = 3, c = 4
        let a = randomBuffer(n * c, seed: 31), b = randomBuffer(n * c, seed: 32)
        let da = FloatBuffer(count: n * c), db = FloatBuffer(count: n * c)
        let out = FloatBuffer(count: n), norms = FloatBuffer(count: 2 * n), r = randomBuffer(n, seed: 33)
        CosineSimilarity.forward(out: out.pointer, norms: norms.pointer, a: a.pointer, b: b.pointer, n: n, c: c)
        let (x, y) = (a.toArray(), b.toArray())
        for i in 0..<n {
            let u = Array(x[(i * c)..<(i * c + c)]), v = Array(y[(i * c)..<(i * c + c)])
            let dot = zip(u, v).map(*).reduce(0, +), nu = u.map { $0 * $0 }.reduce(0, +).squareRoot(), nv = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            XCTAssertEqual(out[i], dot / (nu * nv), accuracy: 1e-6)
        }
        checkGradients([Checked(name: "a", value: a, grad: da), Checked(name: "b", value: b, grad: db)], epsilon: 1e-3) {
            CosineSimilarity.forward(out: out.pointer, norms: norms.pointer, a: a.pointer, b: b.pointer, n: n, c: c)
            return weightedSum(out.pointer, r)
        } backward: {
            CosineSimilarity.backward(da: da.pointer, db: db.pointer, dout: r.pointer, out: out.pointer, norms: norms.pointer,
                                      a: a.pointer, b: b.pointer, n: n, c: c)
        }
        // a zero vector's norm is clamped (torch's eps), so its cosine is 0, not NaN
        let zero = FloatBuffer(count: c)
        CosineSimilarity.forward(out: out.pointer, norms: norms.pointer, a: zero.pointer, b: b.pointer, n: 1, c: c)
        XCTAssertEqual(out[0], 0)
    }

    func testCrossEntropy() {
        // Equal logits over 2 classes: loss ln 2. Weighted mean: Σ w·nll / Σ w.
        let probs = FloatBuffer(count: 4), logits = FloatBuffer(count: 4)
        logits[2] = 1  // row 1: [1, 0]
        let labels: [Int32] = [0, 1], weights: [Float] = [1, 3]
        labels.withUnsafeBufferPointer { labels in
            let l = labels.baseAddress!
            let plain = CrossEntropy.forward(probs: probs.pointer, logits: logits.pointer, labels: l, weights: nil, b: 2, k: 2)
            let nll1 = log(1 + exp(1.0))  // −log softmax([1,0])[1]
            XCTAssertEqual(Double(plain), (log(2.0) + nll1) / 2, accuracy: 1e-6)
            weights.withUnsafeBufferPointer { w in
                let weighted = CrossEntropy.forward(probs: probs.pointer, logits: logits.pointer, labels: l,
                                                    weights: w.baseAddress!, b: 2, k: 2)
                XCTAssertEqual(Double(weighted), (log(2.0) + 3 * nll1) / 4, accuracy: 1e-6)
            }
        }

        let b = 5, k = 4
        let z = randomBuffer(b * k, seed: 23, scale: 3), dz = FloatBuffer(count: b * k), p = FloatBuffer(count: b * k)
        let y: [Int32] = [0, 3, 2, 2, 1], w: [Float] = [0.5, 1, 2, 1.5]
        y.withUnsafeBufferPointer { y in
            w.withUnsafeBufferPointer { w in
                checkGradients([Checked(name: "logits", value: z, grad: dz)], epsilon: 1e-3) {
                    Double(CrossEntropy.forward(probs: p.pointer, logits: z.pointer, labels: y.baseAddress!,
                                                weights: w.baseAddress!, b: b, k: k))
                } backward: {
                    CrossEntropy.backward(dlogits: dz.pointer, probs: p.pointer, labels: y.baseAddress!,
                                          weights: w.baseAddress!, b: b, k: k)
                }
            }
        }
    }

    func testMeanSquaredError() {
        let b = 4
        let predictions = randomBuffer(b, seed: 24), labels = randomBuffer(b, seed: 25), d = FloatBuffer(count: b)
        let loss = MeanSquaredError.forward(predictions: predictions.pointer, labels: labels.pointer, b: b)
        let expected = (0..<b).map { Double(predictions[$0] - labels[$0]) * Double(predictions[$0] - labels[$0]) }.reduce(0, +) / 4
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-6)
        checkGradients([Checked(name: "predictions", value: predictions, grad: d)], epsilon: 1e-3) {
            Double(MeanSquaredError.forward(predictions: predictions.pointer, labels: labels.pointer, b: b))
        } backward: {
            MeanSquaredError.backward(dpredictions: d.pointer, predictions: predictions.pointer, labels: labels.pointer, b: b)
        }
    }
}
