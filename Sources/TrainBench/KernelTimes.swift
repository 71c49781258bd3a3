import CKernels
import Foundation
import Training

/// `TrainBench --kernels`: time per call of the elementwise kernels of a step on the bench model's
/// shapes (`rows` tokens, hidden `c`, ffn `f`, `parameters` for AdamW, `sequences` of `rows/sequences`
/// tokens for attention). Each kernel runs `repeats` times; the table gives the best wall time and
/// the mean CPU time (all threads) per call, the latter being the steadier on a shared machine;
/// once with the CKernels loops compiled for AVX2+FMA (when the CPU has them) and once for baseline x86-64.
func printKernelTimes(rows: Int, c: Int, f: Int, heads: Int, sequences: Int, parameters: ParameterStore, repeats: Int) {
    let random = CounterRandom(seed: 3)
    func filled(_ count: Int, stream: UInt64) -> FloatBuffer {
        let buffer = FloatBuffer(count: count)
        for i in 0..<count { buffer.pointer[i] = random.normal(stream: stream, index: UInt64(i)) }
        return buffer
    }
    let length = max(rows / sequences, 1)
    let spans = SequenceSpans(lengths: Array(repeating: length, count: sequences), heads: heads)
    let n = spans.rowCount
    let h = filled(n * f, stream: 1), g = filled(n * f, stream: 2), dh = filled(n * f, stream: 3)
    let x = filled(n * c, stream: 4), y = filled(n * c, stream: 5), dy = filled(n * c, stream: 6), dx = filled(n * c, stream: 7)
    let weight = filled(c, stream: 8), bias = filled(c, stream: 9), dweight = FloatBuffer(count: c), dbias = FloatBuffer(count: c)
    let dffnBias = FloatBuffer(count: f)
    let mean = FloatBuffer(count: n), rstd = FloatBuffer(count: n)
    let qkv = filled(n * 3 * c, stream: 10), dqkv = FloatBuffer(count: n * 3 * c)
    let att = FloatBuffer(count: spans.scoreCount), datt = FloatBuffer(count: spans.scoreCount)
    let keyBias = FloatBuffer(count: n)
    let optimizer = AdamW(parameters: parameters, configuration: .init(weightDecay: 0.01))

    /// CPU time of the process, all threads.
    func cpuSeconds() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
    print("kernel times on \(n) rows (\(sequences) sequences of \(length) tokens), hidden \(c), ffn \(f), \(parameters.count) parameters; µs per call:")
    func time(_ name: String, _ body: () -> Void) {
        var columns = [String]()
        let avx2 = ck_avx2_active()
        for useAVX2 in avx2 ? [true, false] : [false] {
            _ = ck_use_avx2(useAVX2)
            body()
            var best = Double.infinity
            let cpuStart = cpuSeconds()
            for _ in 0..<repeats { best = min(best, seconds(body)) }
            let cpu = (cpuSeconds() - cpuStart) / Double(repeats)
            columns.append(String(format: "%@ best wall %8.1f cpu %8.1f", useAVX2 ? "AVX2+FMA:" : "baseline:", best * 1e6, cpu * 1e6))
        }
        _ = ck_use_avx2(avx2)
        print("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + columns.joined(separator: "   "))
    }
    for form in GELU.Form.allCases {
        time("GELU \(form) forward") { GELU.forward(out: g.pointer, inp: h.pointer, count: n * f, form: form) }
        time("GELU \(form) backward") { GELU.backwardRecomputing(dh.pointer, out: g.pointer, inp: h.pointer, count: n * f, form: form) }
    }
    time("dropout (ffn)") {
        Dropout.apply(out: dh.pointer, inp: g.pointer, count: n * f, probability: 0.1, random: random, stream: 1)
    }
    time("LayerNorm forward") {
        LayerNorm.forward(out: y.pointer, mean: mean.pointer, rstd: rstd.pointer, inp: x.pointer, weight: weight.pointer,
                          bias: bias.pointer, n: n, c: c)
    }
    time("LayerNorm backward") {
        LayerNorm.backward(dinp: dx.pointer, dweight: dweight.pointer, dbias: dbias.pointer, dout: dy.pointer, inp: x.pointer,
                           weight: weight.pointer, mean: mean.pointer, rstd: rstd.pointer, n: n, c: c)
    }
    time("bias gradient (ffn)") { Elementwise.addColumnSums(dffnBias.pointer, h.pointer, rows: n, columns: f) }
    time("attention forward") {
        Attention.forward(out: y.pointer, att: att.pointer, qkv: qkv.pointer, keyBias: keyBias.pointer, spans: spans,
                          dropout: nil, c: c)
    }
    time("attention backward") {
        Attention.backward(dqkv: dqkv.pointer, datt: datt.pointer, dout: dy.pointer, att: att.pointer, qkv: qkv.pointer,
                           dropout: nil, spans: spans, c: c)
    }
    time("gradient norm") { _ = GradientClipping.globalNorm(parameters) }
    time("AdamW update") { optimizer.update(learningRate: 1e-4, gradientScale: 1) }
}
