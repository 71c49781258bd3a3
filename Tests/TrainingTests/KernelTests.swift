import CKernels
import Foundation
import XCTest
@testable import Training

/// The C kernels (CKernels) against the formulas evaluated in Double on random data, in both
/// versions: compiled for AVX2+FMA (when this CPU has them) and for baseline x86-64. Lengths
/// cover the 8-lane loops, their tails and lengths below 8.
final class KernelTests: XCTestCase {
    static let lengths = [1, 3, 7, 8, 9, 15, 16, 17, 33, 255, 256, 1027]

    /// Runs `body` once per compiled version, naming it for failure messages.
    func forEachVersion(_ body: (String) -> Void) {
        let available = ck_avx2_active()
        defer { _ = ck_use_avx2(available) }
        for avx2 in available ? [true, false] : [false] {
            _ = ck_use_avx2(avx2)
            body(avx2 ? "AVX2+FMA" : "baseline")
        }
    }

    func assertClose(_ actual: Float, _ expected: Double, tolerance: Double, _ message: @autoclosure () -> String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(Double(actual) - expected), tolerance, "\(message()): \(actual) vs \(expected)",
                                 file: file, line: line)
    }

    /// Random values in [−scale, scale] with a few extremes at the front (where the count allows).
    func inputs(_ count: Int, seed: UInt64, scale: Float, extremes: [Float] = []) -> FloatBuffer {
        let buffer = randomBuffer(count, seed: seed, scale: scale)
        for (i, value) in extremes.prefix(count).enumerated() { buffer[i] = value }
        return buffer
    }

    func testGELUMatchesTheTanhFormula() {
        let scale = (2 / Double.pi).squareRoot(), cubic = 0.044715
        func reference(_ x: Double) -> (value: Double, derivative: Double) {
            let t = Foundation.tanh(scale * (x + cubic * x * x * x))
            let dt = (1 - t * t) * scale * (1 + 3 * cubic * x * x)
            return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * dt)
        }
        checkGELU(forward: ck_gelu_forward, backward: ck_gelu_backward, reference: reference, seed: 1,
                  extremes: [0, -0.0, 1e-3, -1e-3, 6, -6, 12, -12, 1000, -1000])
    }

    func testExactGELUMatchesTheErfFormula() {
        func reference(_ x: Double) -> (value: Double, derivative: Double) {
            let cdf = 0.5 * Foundation.erfc(-x / 2.0.squareRoot())
            let pdf = Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            return (x * cdf, cdf + x * pdf)
        }
        checkGELU(forward: ck_gelu_erf_forward, backward: ck_gelu_erf_backward, reference: reference, seed: 4,
                  extremes: [0, -0.0, 1e-3, -1e-3, 0.5, -0.5, 3, -3, 6, -6, 12, -12, 1000, -1000])
    }

    /// A GELU kernel pair against its formula in Double: out = gelu(x), and dinp += dout · gelu'(x)
    /// (accumulated onto random values), in both kernel versions, for every length.
    func checkGELU(forward: (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int) -> Void,
                   backward: (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, Int) -> Void,
                   reference: (Double) -> (value: Double, derivative: Double), seed: UInt64, extremes: [Float]) {
        forEachVersion { version in
            for count in Self.lengths {
                let x = inputs(count, seed: seed, scale: 5, extremes: extremes)
                let dout = randomBuffer(count, seed: seed + 1), out = FloatBuffer(count: count)
                let dinp = randomBuffer(count, seed: seed + 2), before = dinp.toArray()
                forward(out.pointer, x.pointer, count)
                backward(dinp.pointer, dout.pointer, x.pointer, count)
                for i in 0..<count {
                    let xi = Double(x[i]), (value, derivative) = reference(xi)
                    assertClose(out[i], value, tolerance: 1e-6 * max(1, abs(xi)), "\(version) gelu(\(xi))")
                    assertClose(dinp[i], Double(before[i]) + Double(dout[i]) * derivative, tolerance: 4e-6,
                                "\(version) gelu'(\(xi))")
                }
            }
        }
    }

    /// Softmax of rows [0, x] is 1/(1 + eˣ) and eˣ/(1 + eˣ): the exp inside over its whole range.
    /// A score below the row's maximum by more than ~87 (BERT's −10000 mask) weighs exactly 0.
    func testSoftmaxMatchesDouble() {
        forEachVersion { version in
            let steps = 4001
            let pairs = FloatBuffer(count: 2 * steps), noBias = FloatBuffer(count: 2)
            for i in 0..<steps { pairs[2 * i + 1] = -87 + 174 * Float(i) / Float(steps - 1) }
            let x = pairs.toArray()
            ck_softmax_forward(pairs.pointer, noBias.pointer, steps, 2)
            for i in 0..<steps {
                let e = Foundation.exp(Double(x[2 * i + 1]))
                assertClose(pairs[2 * i], 1 / (1 + e), tolerance: 4e-7 / (1 + e), "\(version) softmax [0, \(x[2 * i + 1])]")
                assertClose(pairs[2 * i + 1], e / (1 + e), tolerance: 4e-7 * e / (1 + e), "\(version) softmax [0, \(x[2 * i + 1])]")
            }

            for length in Self.lengths {
                let rows = 3
                let scores = inputs(rows * length, seed: 4, scale: 8), bias = FloatBuffer(count: length)
                for j in stride(from: 1, to: length, by: 3) { bias[j] = Attention.maskedBias }
                let raw = scores.toArray()
                ck_softmax_forward(scores.pointer, bias.pointer, rows, length)
                let dP = randomBuffer(rows * length, seed: 5), dS = FloatBuffer(count: rows * length)
                dS.pointer.update(from: dP.pointer, count: rows * length)
                ck_softmax_backward(dS.pointer, scores.pointer, rows, length)
                for i in 0..<rows {
                    let row = (0..<length).map { Double(raw[i * length + $0]) + Double(bias[$0]) }
                    let top = row.max()!, exps = row.map { Foundation.exp($0 - top) }, total = exps.reduce(0, +)
                    let p = exps.map { $0 / total }
                    for j in 0..<length {
                        let at = i * length + j
                        if bias[j] == Attention.maskedBias { XCTAssertEqual(scores[at], 0, "\(version) masked score") }
                        assertClose(scores[at], p[j], tolerance: 4e-7 * max(p[j], 1e-3), "\(version) softmax \(length) at \(at)")
                    }
                    // dS = P ⊙ (dP' − Σ P·dP') with the float probabilities the forward produced
                    let given = (0..<length).map { Double(dP[i * length + $0]) }
                    let probabilities = (0..<length).map { Double(scores[i * length + $0]) }
                    let dot = zip(probabilities, given).map(*).reduce(0, +)
                    for j in 0..<length {
                        assertClose(dS[i * length + j], probabilities[j] * (given[j] - dot), tolerance: 1e-6,
                                    "\(version) softmax backward \(length) at \(j)")
                    }
                }
            }
        }
    }

    func testLayerNormMatchesDouble() {
        forEachVersion { version in
            for c in Self.lengths where c > 1 {
                let rows = 3
                let x = inputs(rows * c, seed: 7, scale: 3), weight = randomBuffer(c, seed: 8), bias = randomBuffer(c, seed: 9)
                for j in 0..<c { x[j] += 100 }  // a row far from 0: the variance is taken around the mean
                let out = FloatBuffer(count: rows * c), mean = FloatBuffer(count: rows), rstd = FloatBuffer(count: rows)
                ck_layernorm_forward(out.pointer, mean.pointer, rstd.pointer, x.pointer, weight.pointer, bias.pointer,
                                     rows, c, LayerNorm.bertEpsilon)
                let dout = randomBuffer(rows * c, seed: 10), dinp = randomBuffer(rows * c, seed: 11), before = dinp.toArray()
                let dweight = randomBuffer(c, seed: 12), dbias = randomBuffer(c, seed: 13)
                let weightBefore = dweight.toArray(), biasBefore = dbias.toArray()
                ck_layernorm_backward_input(dinp.pointer, dout.pointer, x.pointer, weight.pointer, mean.pointer, rstd.pointer, rows, c)
                ck_layernorm_backward_parameters(dweight.pointer, dbias.pointer, dout.pointer, x.pointer, mean.pointer, rstd.pointer,
                                                 rows, c, c)
                var dweightExpected = weightBefore.map(Double.init), dbiasExpected = biasBefore.map(Double.init)
                for i in 0..<rows {
                    let row = (0..<c).map { Double(x[i * c + $0]) }
                    let m = row.reduce(0, +) / Double(c)
                    let variance = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
                    let s = 1 / (variance + Double(LayerNorm.bertEpsilon)).squareRoot()
                    assertClose(mean[i], m, tolerance: 1e-6 * max(1, abs(m)), "\(version) mean c=\(c)")
                    assertClose(rstd[i], s, tolerance: 1e-5 * s, "\(version) rstd c=\(c)")
                    let normalized = row.map { ($0 - m) * s }
                    let g = (0..<c).map { Double(dout[i * c + $0]) * Double(weight[$0]) }
                    let gMean = g.reduce(0, +) / Double(c)
                    let gxMean = zip(g, normalized).map(*).reduce(0, +) / Double(c)
                    for j in 0..<c {
                        assertClose(out[i * c + j], normalized[j] * Double(weight[j]) + Double(bias[j]), tolerance: 1e-5,
                                    "\(version) layernorm c=\(c) at \(i),\(j)")
                        assertClose(dinp[i * c + j], Double(before[i * c + j]) + s * (g[j] - gMean - normalized[j] * gxMean),
                                    tolerance: 1e-5 * max(1, s), "\(version) layernorm dinp c=\(c) at \(i),\(j)")
                        dweightExpected[j] += Double(dout[i * c + j]) * normalized[j]
                        dbiasExpected[j] += Double(dout[i * c + j])
                    }
                }
                for j in 0..<c {
                    assertClose(dweight[j], dweightExpected[j], tolerance: 1e-5, "\(version) dweight c=\(c) at \(j)")
                    assertClose(dbias[j], dbiasExpected[j], tolerance: 1e-5, "\(version) dbias c=\(c) at \(j)")
                }
            }
        }
    }

    func testReductionsMatchDouble() {
        forEachVersion { version in
            for count in Self.lengths {
                let x = randomBuffer(count, seed: 14, scale: 3)
                var sum = 0.0
                ck_sum_of_squares(x.pointer, count, &sum)
                let expected = x.toArray().map { Double($0) * Double($0) }.reduce(0, +)
                XCTAssertEqual(sum, expected, accuracy: 1e-6 * expected, "\(version) sum of squares of \(count)")

                // columns of a (rows, stride) matrix, starting inside it as a task's range does
                let rows = 37, stride = count + 5
                let matrix = randomBuffer(rows * stride, seed: 15), out = randomBuffer(count, seed: 16), before = out.toArray()
                ck_add_column_sums(out.pointer, matrix.pointer + 2, rows, count, stride)
                for j in 0..<count {
                    let column = (0..<rows).map { Double(matrix[$0 * stride + 2 + j]) }.reduce(0, +)
                    assertClose(out[j], Double(before[j]) + column, tolerance: 1e-5, "\(version) column \(j) of \(count)")
                }
            }
        }
    }

    func testAdamWMatchesDouble() {
        forEachVersion { version in
            for count in Self.lengths {
                let p = randomBuffer(count, seed: 17), g = randomBuffer(count, seed: 18, scale: 0.1)
                let m = randomBuffer(count, seed: 19, scale: 0.01), v = randomBuffer(count, seed: 20, scale: 1e-4)
                for i in 0..<count { v[i] = abs(v[i]) }
                let (p0, m0, v0) = (p.toArray(), m.toArray(), v.toArray())
                var k = ck_adamw_constants(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learning_rate: 1e-3, gradient_scale: 0.5,
                                           correction1: 1 - 0.9 * 0.9 * 0.9, correction2: 1 - 0.999 * 0.999 * 0.999)
                ck_adamw_update(p.pointer, g.pointer, m.pointer, v.pointer, count, 0.99, &k)
                // the float constants the kernel was given, in Double
                let (beta1, beta2, rate) = (Double(k.beta1), Double(k.beta2), Double(k.learning_rate))
                for i in 0..<count {
                    let gradient = Double(g[i]) * 0.5
                    let mi = beta1 * Double(m0[i]) + (1 - beta1) * gradient
                    let vi = beta2 * Double(v0[i]) + (1 - beta2) * gradient * gradient
                    let step = rate * (mi / Double(k.correction1)) / ((vi / Double(k.correction2)).squareRoot() + Double(k.epsilon))
                    // m's two terms may cancel: rounding is relative to their size
                    assertClose(m[i], mi, tolerance: 3e-7 * (abs(beta1 * Double(m0[i])) + abs((1 - beta1) * gradient)), "\(version) m \(i) of \(count)")
                    assertClose(v[i], vi, tolerance: 3e-7 * vi, "\(version) v \(i) of \(count)")
                    assertClose(p[i], Double(p0[i]) * Double(Float(0.99)) - step, tolerance: 3e-7 * max(1, abs(Double(p0[i]))),
                                "\(version) p \(i) of \(count)")
                }
            }
        }
    }

    /// The dropout kernel draws exactly CounterRandom's uniforms (the C and Swift SplitMix agree),
    /// and applying it again (the backward) multiplies by the very same mask.
    func testDropoutMaskIsCounterRandomsDraw() {
        let random = CounterRandom(seed: 23), probability: Float = 0.3, keep = 1 / (1 - probability)
        forEachVersion { version in
            for count in Self.lengths {
                let inp = randomBuffer(count, seed: 22), out = FloatBuffer(count: count), ones = FloatBuffer(count: count)
                let gradient = randomBuffer(count, seed: 24), dinp = FloatBuffer(count: count)
                for i in 0..<count { ones[i] = 1 }
                ck_dropout_apply(out.pointer, inp.pointer, count, probability, keep, random.key(stream: 5), 1000)
                ck_dropout_apply(ones.pointer, ones.pointer, count, probability, keep, random.key(stream: 5), 1000)
                ck_dropout_apply(dinp.pointer, gradient.pointer, count, probability, keep, random.key(stream: 5), 1000)
                for i in 0..<count {
                    let dropped = random.uniform(stream: 5, index: UInt64(1000 + i)) < probability
                    XCTAssertEqual(ones[i], dropped ? 0 : keep, "\(version) mask \(i) of \(count)")
                    XCTAssertEqual(out[i], inp[i] * ones[i], "\(version) out \(i) of \(count)")
                    XCTAssertEqual(dinp[i], gradient[i] * ones[i], "\(version) gradient \(i) of \(count)")
                }
            }
        }
    }

    /// The GELU backward that recomputes gelu's output gives the forward kernel's output and the
    /// plain backward's gradient bit for bit, in both forms.
    func testGELURecomputingBackwardMatchesForwardAndBackward() {
        typealias Kernel = (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int) -> Void
        typealias Backward = (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, Int) -> Void
        typealias Recomputing = (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int) -> Void
        let forms: [(String, Kernel, Backward, Recomputing)] = [
            ("tanh", ck_gelu_forward, ck_gelu_backward, ck_gelu_backward_recomputing),
            ("erf", ck_gelu_erf_forward, ck_gelu_erf_backward, ck_gelu_erf_backward_recomputing),
        ]
        forEachVersion { version in
            for (form, forward, backward, recomputing) in forms {
                for count in Self.lengths {
                    let x = inputs(count, seed: 25, scale: 6, extremes: [0, -12, 12, 1e-20])
                    let dout = randomBuffer(count, seed: 26)
                    let y = FloatBuffer(count: count), dinp = FloatBuffer(count: count), again = FloatBuffer(count: count)
                    forward(y.pointer, x.pointer, count)
                    backward(dinp.pointer, dout.pointer, x.pointer, count)
                    recomputing(dout.pointer, again.pointer, x.pointer, count)
                    XCTAssertEqual(again.toArray(), y.toArray(), "\(version) \(form) gelu recomputed, \(count)")
                    XCTAssertEqual(dout.toArray(), dinp.toArray(), "\(version) \(form) gelu gradient in place, \(count)")
                }
            }
        }
    }

    /// The AdamW step without a gradient is the step with a zero gradient, bit for bit.
    func testAdamWWithoutGradientIsTheZeroGradientStep() {
        forEachVersion { version in
            for count in Self.lengths {
                let p = randomBuffer(count, seed: 27), m = randomBuffer(count, seed: 28, scale: 0.01)
                let v = randomBuffer(count, seed: 29, scale: 1e-4), zero = FloatBuffer(count: count)
                for i in 0..<count { v[i] = abs(v[i]) }
                m[0] = -0.0
                let (p2, m2, v2) = (FloatBuffer(count: count), FloatBuffer(count: count), FloatBuffer(count: count))
                p2.pointer.update(from: p.pointer, count: count)
                m2.pointer.update(from: m.pointer, count: count)
                v2.pointer.update(from: v.pointer, count: count)
                var k = ck_adamw_constants(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learning_rate: 1e-3, gradient_scale: 0.5,
                                           correction1: 1 - 0.9 * 0.9, correction2: 1 - 0.999 * 0.999)
                ck_adamw_update(p.pointer, zero.pointer, m.pointer, v.pointer, count, 0.99, &k)
                ck_adamw_update_without_gradient(p2.pointer, m2.pointer, v2.pointer, count, 0.99, &k)
                XCTAssertEqual(p.toArray().map(\.bitPattern), p2.toArray().map(\.bitPattern), "\(version) p, \(count)")
                XCTAssertEqual(m.toArray().map(\.bitPattern), m2.toArray().map(\.bitPattern), "\(version) m, \(count)")
                XCTAssertEqual(v.toArray().map(\.bitPattern), v2.toArray().map(\.bitPattern), "\(version) v, \(count)")
            }
        }
    }

    /// Elementwise kernels give every element the same result whether it falls in the 8-lane
    /// loop or in a tail, so splitting a tensor across tasks anywhere changes nothing.
    func testElementwiseResultsDoNotDependOnTheSplit() {
        forEachVersion { version in
            let count = 203
            let x = inputs(count, seed: 21, scale: 6)
            let whole = FloatBuffer(count: count), pieces = FloatBuffer(count: count)
            ck_gelu_forward(whole.pointer, x.pointer, count)
            for start in stride(from: 0, to: count, by: 13) {
                ck_gelu_forward(pieces.pointer + start, x.pointer + start, min(13, count - start))
            }
            XCTAssertEqual(whole.toArray(), pieces.toArray(), version)
        }
    }
}
