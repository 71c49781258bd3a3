// Measures training throughput of the BERT encoder in `Training`: samples/s of
// forward + backward + AdamW on random tokens, and the GFLOPS reached against what
// `cblas_sgemm` alone reaches on this machine. Run through tools/bench-train-step.sh.
import COpenBLAS
import Foundation
import Training

struct Options {
    var layers = 4, hidden = 256, heads = 4, ffn = 1024, length = 128, batch = 32, vocab = 30_000
    var steps = 10, warmup = 2

    init(arguments: [String]) throws {
        var index = 0
        func value() throws -> Int {
            index += 1
            guard index < arguments.count, let number = Int(arguments[index]), number > 0 else {
                throw InputError("\(arguments[index - 1]) needs a positive integer")
            }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--layers": layers = try value()
            case "--hidden": hidden = try value()
            case "--heads": heads = try value()
            case "--ffn": ffn = try value()
            case "--length": length = try value()
            case "--batch": batch = try value()
            case "--vocab": vocab = try value()
            case "--steps": steps = try value()
            case "--warmup": warmup = try value()
            default: throw InputError("unknown option \(arguments[index])",
                                      hint: "options: --layers --hidden --heads --ffn --length --batch --vocab --steps --warmup")
            }
            index += 1
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Best GFLOPS of `cblas_sgemm` over a few repetitions of C (m,n) = op(A)·op(B) with inner size k.
func sgemmGFLOPS(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = true) -> Double {
    let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n)
    for i in 0..<a.count { a[i] = Float(i % 7) * 0.1 }
    for i in 0..<b.count { b[i] = Float(i % 5) * 0.1 }
    var best = Double.infinity
    for _ in 0..<5 {
        best = min(best, seconds {
            Matmul.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a.pointer, lda: transA ? m : k,
                        b: b.pointer, ldb: transB ? k : n, beta: 0, c: c.pointer, ldc: n)
        })
    }
    return 2 * Double(m * n * k) / best / 1e9
}

import DSPrepSupport

do {
    let o = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let config = BertConfiguration(vocabSize: o.vocab, hiddenSize: o.hidden, numHiddenLayers: o.layers,
                                   numAttentionHeads: o.heads, intermediateSize: o.ffn, maxPositionEmbeddings: max(512, o.length))
    let model = try BertModel(configuration: config, loss: TaskLoss(task: .classification(labels: 2)), seed: 1)
    let optimizer = AdamW(parameters: model.parameters, configuration: .init(weightDecay: 0.01))
    let random = CounterRandom(seed: 7)
    func batch(_ step: Int) throws -> Batch {
        let cells = o.batch * o.length
        let ids = (0..<cells).map { Int32(random.bits(stream: UInt64(step), index: UInt64($0)) % UInt64(o.vocab)) }
        let labels = (0..<o.batch).map { Int32(random.bits(stream: UInt64(step) + 1_000_000, index: UInt64($0)) % 2) }
        return try Batch(size: o.batch, length: o.length, inputIds: ids, labels: .classes(labels))
    }
    let step = TrainingStep(baseLearningRate: 1e-4, schedule: Schedule(kind: .constant, totalSteps: o.steps + o.warmup))
    for s in 0..<o.warmup { _ = try step.run(model: model, microBatches: [try batch(s)], optimizer: optimizer) }

    var forward = 0.0, backward = 0.0, update = 0.0
    for s in 0..<o.steps {
        let b = try batch(o.warmup + s)
        model.parameters.zeroGrads()
        forward += try seconds { _ = try model.forward(b, training: true) }
        backward += seconds { model.backward(lossScale: 1) }
        update += seconds {
            let norm = GradientClipping.globalNorm(model.parameters.grads)
            optimizer.update(learningRate: 1e-4, gradientScale: GradientClipping.scale(norm: norm, maxNorm: 1))
        }
    }
    let total = forward + backward + update
    let samplesPerSecond = Double(o.steps * o.batch) / total

    // Matmul FLOPs of one step: forward, then twice that for backward (input and weight grads).
    let n = Double(o.batch * o.length), c = Double(o.hidden), f = Double(o.ffn), t = Double(o.length)
    let perLayer = 2 * n * (3 * c * c + c * c + 2 * c * f) + 4 * Double(o.batch) * t * t * c
    let stepFLOPs = 3 * Double(o.layers) * perLayer
    let reached = stepFLOPs * Double(o.steps) / total / 1e9
    let peak = sgemmGFLOPS(m: 512, n: 512, k: 512)
    let modelShape = sgemmGFLOPS(m: o.batch * o.length, n: o.ffn, k: o.hidden)

    // The layer GEMMs alone: forward out = x·Wᵀ, backward dx = dy·W and dW = dyᵀ·x.
    let rows = o.batch * o.length
    var shapes: [String] = []
    for (name, inner, outer) in [("qkv", o.hidden, 3 * o.hidden), ("attn-out", o.hidden, o.hidden),
                                 ("ffn-in", o.hidden, o.ffn), ("ffn-out", o.ffn, o.hidden)] {
        let forward = sgemmGFLOPS(m: rows, n: outer, k: inner)
        let dx = sgemmGFLOPS(m: rows, n: inner, k: outer, transB: false)
        let dw = sgemmGFLOPS(m: outer, n: inner, k: rows, transA: true, transB: false)
        shapes.append(String(format: "%@ %.0f/%.0f/%.0f", name, forward, dx, dw))
    }
    let threads = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"
    print("""
    model: \(o.layers) layers, hidden \(o.hidden), \(o.heads) heads, ffn \(o.ffn), vocab \(o.vocab), \
    \(model.parameters.count) parameters
    batch \(o.batch) × length \(o.length), \(o.steps) timed steps after \(o.warmup) warm-up, \
    \(ProcessInfo.processInfo.activeProcessorCount) cores, OPENBLAS_NUM_THREADS=\(threads)
    step: \(String(format: "%.1f", total / Double(o.steps) * 1000)) ms \
    (forward \(String(format: "%.1f", forward / Double(o.steps) * 1000)), \
    backward \(String(format: "%.1f", backward / Double(o.steps) * 1000)), \
    clip+AdamW \(String(format: "%.1f", update / Double(o.steps) * 1000)))
    training samples/s: \(String(format: "%.1f", samplesPerSecond))
    matmul GFLOPS reached: \(String(format: "%.1f", reached)) \
    (\(String(format: "%.2f", stepFLOPs / 1e9)) GFLOP per step)
    cblas_sgemm GFLOPS: 512³ \(String(format: "%.1f", peak)), \
    \(o.batch * o.length)×\(o.hidden)·\(o.hidden)×\(o.ffn) \(String(format: "%.1f", modelShape)); \
    reached/peak = \(String(format: "%.0f", 100 * reached / peak))%
    layer GEMMs alone, GFLOPS forward/dx/dW: \(shapes.joined(separator: ", "))
    """)
} catch {
    FileHandle.standardError.write(Data("bench-train-step: \(error)\n".utf8))
    exit(1)
}
