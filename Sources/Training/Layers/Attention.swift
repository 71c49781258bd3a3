import CKernels
import DSPrepSupport

/// Multi-head self-attention core (the projections around it are `Linear` layers):
/// softmax(Q·Kᵀ/√hs + keyBias)·V within each sequence and head, with optional dropout on the
/// probabilities.
///
/// Layout: qkv: (N,3C) holds Q | K | V in each row of the packed sequences (`SequenceSpans`); head
/// h uses columns h·hs..<(h+1)·hs of each block (hs = C/NH), which is how HF's separate
/// query/key/value outputs sit side by side. Every product runs on these strided slices directly
/// (no transposes are materialized). The (sequence, head) units are independent: they run in
/// parallel, one single-threaded GEMM chain per core.
public enum Attention {
    /// BERT's additive mask value for padding keys (`(1 − mask) · −10000`); exp underflows to 0.
    public static let maskedBias: Float = -10_000

    /// Dropout on attention probabilities (training only): which random stream draws the mask.
    /// Score i of the layer draws number i of the stream, so the backward regenerates the mask.
    public struct ProbabilityDropout {
        public var probability: Float
        public var random: CounterRandom
        public var stream: UInt64

        public init(probability: Float, random: CounterRandom, stream: UInt64) {
            self.probability = probability
            self.random = random
            self.stream = stream
        }

        /// out = inp ⊙ mask for the scores starting at `first`, on the calling thread.
        func apply(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count: Int, first: Int) {
            Dropout.applyOnThisThread(out: out, inp: inp, count: count, probability: probability, random: random, stream: stream,
                                      firstIndex: first)
        }
    }

    /// out: (N,C);  att: (spans.scoreCount) receives the softmax probabilities (kept for backward);
    /// qkv: (N,3C);  keyBias: (N), 0 for tokens and `maskedBias` for padding that was kept.
    /// With dropout, `dropped` (spans.scoreCount) is scratch for the dropped probabilities.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        keyBias: UnsafePointer<Float>, spans: SequenceSpans, dropout: ProbabilityDropout?,
        dropped: UnsafeMutablePointer<Float>? = nil, c: Int
    ) {
        precondition(dropout == nil || dropped != nil, "attention dropout needs scratch for the dropped probabilities")
        let heads = spans.heads, hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        Parallel.tasks(spans.count * heads) { unit in
            let s = unit / heads, h = unit % heads
            let l = spans.length(s), r0 = spans.rowStarts[s]
            let scores = spans.scoreStarts[s] + h * l * l
            let q = qkv + r0 * c3 + h * hs
            let p = att + scores
            // 1. scores (L,L) = Q·Kᵀ/√hs
            Matmul.gemmOnThisThread(transA: false, transB: true, m: l, n: l, k: hs, alpha: scale, a: q, lda: c3,
                                    b: q + c, ldb: c3, beta: 0, c: p, ldc: l)
            // 2. add the key bias, softmax each row (CKernels/softmax.c), drop probabilities
            ck_softmax_forward(p, keyBias + r0, l, l)
            var probabilities = UnsafePointer(p)
            if let dropout, let dropped {
                dropout.apply(dropped + scores, p, count: l * l, first: scores)
                probabilities = UnsafePointer(dropped + scores)
            }
            // 3. out_h (L,hs) = P·V
            Matmul.gemmOnThisThread(transA: false, transB: false, m: l, n: hs, k: l, a: probabilities,
                                    lda: l, b: q + 2 * c, ldb: c3, beta: 0, c: out + r0 * c + h * hs, ldc: c)
        }
    }

    /// Accumulates dqkv: (N,3C) from dout: (N,C). datt: (spans.scoreCount) is scratch. `dropout` is
    /// the forward's: its masks are drawn again.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        att: UnsafePointer<Float>, qkv: UnsafePointer<Float>, dropout: ProbabilityDropout?, spans: SequenceSpans, c: Int
    ) {
        let heads = spans.heads, hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        Parallel.tasks(spans.count * heads) { unit in
            let s = unit / heads, h = unit % heads
            let l = spans.length(s), r0 = spans.rowStarts[s]
            let scores = spans.scoreStarts[s] + h * l * l
            let q = qkv + r0 * c3 + h * hs, dq = dqkv + r0 * c3 + h * hs
            let dy = dout + r0 * c + h * hs
            let d = datt + scores, p = att + scores
            // 1. dV += Pᵀ·dout_h, with P dropped again (into d, before d holds dP)
            var probabilities = p
            if let dropout {
                dropout.apply(d, p, count: l * l, first: scores)
                probabilities = UnsafePointer(d)
            }
            Matmul.gemmOnThisThread(transA: true, transB: false, m: l, n: hs, k: l, a: probabilities, lda: l,
                                    b: dy, ldb: c, beta: 1, c: dq + 2 * c, ldc: c3)
            // 2. dP = dout_h·Vᵀ, through dropout and softmax in place: dS = P ⊙ (dP' − Σ_j P·dP'), dP' = dP ⊙ mask
            Matmul.gemmOnThisThread(transA: false, transB: true, m: l, n: l, k: hs, a: dy, lda: c, b: q + 2 * c, ldb: c3,
                                    beta: 0, c: d, ldc: l)
            dropout?.apply(d, d, count: l * l, first: scores)
            ck_softmax_backward(d, p, l, l)
            // 3. dQ += dS·K/√hs and dK += dSᵀ·Q/√hs
            Matmul.gemmOnThisThread(transA: false, transB: false, m: l, n: hs, k: l, alpha: scale, a: d, lda: l,
                                    b: q + c, ldb: c3, beta: 1, c: dq, ldc: c3)
            Matmul.gemmOnThisThread(transA: true, transB: false, m: l, n: hs, k: l, alpha: scale, a: d, lda: l,
                                    b: q, ldb: c3, beta: 1, c: dq + c, ldc: c3)
        }
    }
}
