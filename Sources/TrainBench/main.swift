// Measures training throughput of the BERT encoder in `Training`: samples/s of forward + backward +
// clip + AdamW, and the GFLOPS reached against what `Matmul.gemm` (cblas_sgemm on all cores) reaches
// on this machine. The model is a BERT of the given shape from scratch, or (--model DIR) an HF model
// folder's pretrained encoder with a fresh 2-class head, as `dsprep train --model DIR` fine-tunes it.
// Batches are either B×T random tokens with no padding, or (--lengths FILE) rows of
// the token counts in FILE, batched as the trainer batches them (--order grouped, HF's
// LengthGroupedSampler) or shuffled (--order random, HF's default sampler), padded to the longest row.
// Run through tools/bench/bench-train-step.sh or tools/bench/bench-train.sh. The last line printed is JSON.
// --kernels instead times the step's elementwise kernels alone on B×T rows (KernelTimes.swift).
import DSPrepSupport
import Foundation
import Training

struct Options {
    var layers = 4, hidden = 256, heads = 4, ffn = 1024, length = 128, batch = 32, vocab = 30_000
    var steps = 10, warmup = 2
    var lengths: String?
    var model: String?
    var grouped = true
    var kernels = false

    init(arguments: [String]) throws {
        var index = 0
        func text() throws -> String {
            index += 1
            guard index < arguments.count else { throw InputError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func value() throws -> Int {
            let given = try text()
            guard let number = Int(given), number > 0 else {
                throw InputError("\(arguments[index - 1]) needs a positive integer, got \(given)")
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
            case "--lengths": lengths = try text()
            case "--model": model = try text()
            case "--kernels": kernels = true
            case "--order":
                let order = try text()
                guard order == "grouped" || order == "random" else { throw InputError("--order is grouped or random, got \(order)") }
                grouped = order == "grouped"
            default: throw InputError("unknown option \(arguments[index])",
                                      hint: "options: --layers --hidden --heads --ffn --length --batch --vocab --steps --warmup --lengths FILE --model DIR --order grouped|random --kernels")
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

/// Best GFLOPS of `Matmul.gemm` over a few repetitions of C (m,n) = op(A)·op(B) with inner size k.
func gemmGFLOPS(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = true) -> Double {
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

/// Token counts, one per line.
func readLengths(_ path: String, maximum: Int) throws -> [Int] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").enumerated().map { line, field in
        guard let length = Int(field), length > 0, length <= maximum else {
            throw InputError("expected a token count in 1...\(maximum)", at: SourceLocation(path: path, line: line + 1))
        }
        return length
    }
}

do {
    var o = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let model: BertModel
    if let folder = o.model {
        model = try PretrainedModel.load(folder: folder, task: .classification(labels: 2), seed: 1).model
        let config = model.configuration
        (o.vocab, o.hidden, o.layers, o.heads, o.ffn) =
            (config.vocabSize, config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads, config.intermediateSize)
    } else {
        let config = BertConfiguration(vocabSize: o.vocab, hiddenSize: o.hidden, numHiddenLayers: o.layers,
                                       numAttentionHeads: o.heads, intermediateSize: o.ffn, maxPositionEmbeddings: o.length)
        model = try BertModel(configuration: config, loss: TaskLoss(task: .classification(labels: 2)), seed: 1)
    }
    if o.kernels {
        printKernelTimes(rows: o.batch * o.length, c: o.hidden, f: o.ffn, heads: o.heads, sequences: o.batch,
                         parameters: model.parameters, repeats: 5 * o.steps)
        exit(0)
    }
    let optimizer = AdamW(parameters: model.parameters, configuration: .init(weightDecay: 0.01))
    let learningRate: Float = o.model == nil ? 1e-4 : 5e-5
    let random = CounterRandom(seed: 7)
    let lengths = try o.lengths.map { try readLengths($0, maximum: o.length) }
    let order = lengths.map {
        o.grouped ? BatchOrder.lengthGrouped(lengths: $0, batchSize: o.batch, seed: 42)
                  : BatchOrder.shuffled(rowCount: $0.count, batchSize: o.batch, seed: 42)
    }
    if let order, order.count < o.warmup + o.steps { throw InputError("\(o.lengths ?? "") has too few rows for the steps asked") }

    /// Batch `step`: random ids; rows of the given lengths padded to the longest, or all o.length.
    func batch(_ step: Int) throws -> Batch {
        let rows = order.map { $0[step].map { lengths![$0] } } ?? Array(repeating: o.length, count: o.batch)
        let t = rows.max()!
        var ids = [Int32](repeating: 0, count: rows.count * t), mask = [Int32](repeating: 0, count: rows.count * t)
        for (row, length) in rows.enumerated() {
            for position in 0..<length {
                ids[row * t + position] = Int32(random.bits(stream: UInt64(step), index: UInt64(row * t + position)) % UInt64(o.vocab))
                mask[row * t + position] = 1
            }
        }
        let labels = (0..<rows.count).map { Int32(random.bits(stream: UInt64(step) + 1_000_000, index: UInt64($0)) % 2) }
        return try Batch(size: rows.count, length: t, inputIds: ids, attentionMask: mask, labels: .classes(labels))
    }
    let step = TrainingStep(baseLearningRate: learningRate, schedule: Schedule(kind: .constant, totalSteps: o.steps + o.warmup))
    for s in 0..<o.warmup { _ = try step.run(model: model, microBatches: [try batch(s)], optimizer: optimizer) }

    var forward = 0.0, backward = 0.0, update = 0.0
    // CPU time of all threads over the timed steps: steadier than wall time when other jobs share the cores
    let cpuStart = clock()
    var samples = 0, tokens = 0, paddedTokens = 0, squares = 0
    for s in 0..<o.steps {
        let b = try batch(o.warmup + s)
        for row in 0..<b.size {
            let used = b.attentionMask[(row * b.length)..<((row + 1) * b.length)].reduce(0) { $0 + Int($1) }
            tokens += used
            squares += used * used
        }
        samples += b.size
        paddedTokens += b.size * b.length
        forward += try seconds { _ = try model.forward(b, training: true) }
        backward += seconds { model.backward(lossScale: 1) }
        update += seconds {
            let norm = GradientClipping.globalNorm(model.parameters)
            optimizer.update(learningRate: learningRate, gradientScale: GradientClipping.scale(norm: norm, maxNorm: 1))
            model.parameters.zeroGrads()  // for the next step, as TrainingStep does before each
        }
    }
    let cpuPerStep = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC) / Double(o.steps)
    let total = forward + backward + update
    let samplesPerSecond = Double(samples) / total

    // Matmul FLOPs of what is computed (padding is skipped): per token and layer the QKV
    // projection, per sequence and layer QKᵀ and P·V (L²·C multiply-adds each), and the attention
    // output and FFN projections per token, except in the last layer, which runs them on each
    // sequence's first token only; backward is twice the forward (input and weight gradients).
    let c = Double(o.hidden), f = Double(o.ffn), layers = Double(o.layers)
    let afterAttention = 2 * (c * c + 2 * c * f)  // per row
    let forwardFLOPs = layers * (2 * Double(tokens) * 3 * c * c + 4 * Double(squares) * c)
        + (layers > 0 ? (layers - 1) * Double(tokens) * afterAttention + Double(samples) * afterAttention : 0)
    let flops = 3 * forwardFLOPs
    let reached = flops / total / 1e9
    let rows = tokens / o.steps
    let peak = gemmGFLOPS(m: 512, n: 512, k: 512)
    let modelShape = gemmGFLOPS(m: rows, n: o.ffn, k: o.hidden)
    var shapes: [String] = []
    for (name, inner, outer) in [("qkv", o.hidden, 3 * o.hidden), ("attn-out", o.hidden, o.hidden),
                                 ("ffn-in", o.hidden, o.ffn), ("ffn-out", o.ffn, o.hidden)] {
        let forward = gemmGFLOPS(m: rows, n: outer, k: inner)
        let dx = gemmGFLOPS(m: rows, n: inner, k: outer, transB: false)
        let dw = gemmGFLOPS(m: outer, n: inner, k: rows, transA: true, transB: false)
        shapes.append(String(format: "%@ %.0f/%.0f/%.0f", name, forward, dx, dw))
    }
    let milliseconds = { (value: Double) in String(format: "%.1f", value / Double(o.steps) * 1000) }
    print("""
    model: \(o.model ?? "from scratch"), \(o.layers) layers, hidden \(o.hidden), \(o.heads) heads, ffn \(o.ffn), vocab \(o.vocab), \
    \(model.parameters.count) parameters
    batches: \(o.lengths.map { "rows of \($0), \(o.grouped ? "length-grouped" : "shuffled")" } ?? "\(o.batch) × \(o.length) random tokens"), \
    \(o.steps) timed steps after \(o.warmup) warm-up, \(Parallel.processorCount) cores; \
    \(String(format: "%.1f", Double(tokens) / Double(samples))) tokens/row, padded to \(String(format: "%.1f", Double(paddedTokens) / Double(samples)))
    step: \(milliseconds(total)) ms (forward \(milliseconds(forward)), backward \(milliseconds(backward)), clip+AdamW+zeroing \(milliseconds(update))); CPU time \(String(format: "%.1f", cpuPerStep * 1000)) ms per step
    training samples/s: \(String(format: "%.1f", samplesPerSecond))
    matmul GFLOPS reached: \(String(format: "%.1f", reached)) (\(String(format: "%.2f", flops / Double(o.steps) / 1e9)) GFLOP per step, on unpadded tokens)
    Matmul.gemm (OpenBLAS \(Matmul.blasCoreName) kernels) GFLOPS: 512³ \(String(format: "%.1f", peak)), \(rows)×\(o.hidden)·\(o.hidden)×\(o.ffn) \(String(format: "%.1f", modelShape)); \
    reached/peak = \(String(format: "%.0f", 100 * reached / peak))%
    layer GEMMs alone (\(rows) rows), GFLOPS forward/dx/dW: \(shapes.joined(separator: ", "))
    peak resident memory: \(String(format: "%.0f", Double(ProcessResources.peakResidentBytes()) / 1_048_576)) MB
    {"samples_per_second": \(samplesPerSecond), "blas_core": "\(Matmul.blasCoreName)", "peak_rss_mb": \(Double(ProcessResources.peakResidentBytes()) / 1_048_576), "gflops": \(reached), "gemm_peak_gflops": \(peak), \
    "tokens_per_row": \(Double(tokens) / Double(samples)), "padded_tokens_per_row": \(Double(paddedTokens) / Double(samples))}
    """)
} catch {
    FileHandle.standardError.write(Data("bench-train-step: \(error)\n".utf8))
    exit(1)
}
