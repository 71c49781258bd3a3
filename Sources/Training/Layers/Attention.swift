import CKernels

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

    /// Dropout on attention probabilities: `probability` > 0 only in training; `mask` and
    /// `dropped` are buffers of `spans.scoreCount`.
    public struct ProbabilityDropout {
        public var probability: Float
        public var random: CounterRandom
        public var stream: UInt64
        public var mask: UnsafeMutablePointer<Float>
        public var dropped: UnsafeMutablePointer<Float>

        public init(probability: Float, random: CounterRandom, stream: UInt64,
                    mask: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>) {
            self.probability = probability
            self.random = random
            self.stream = stream
            self.mask = mask
            self.dropped = dropped
        }
    }

    /// out: (N,C);  att: (spans.scoreCount) receives the softmax probabilities (kept for backward);
    /// qkv: (N,3C);  keyBias: (N), 0 for tokens and `maskedBias` for padding that was kept.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        keyBias: UnsafePointer<Float>, spans: SequenceSpans, dropout: ProbabilityDropout?, c: Int
    ) {
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
            if let dropout {
                Dropout.forward(out: dropout.dropped + scores, mask: dropout.mask + scores, inp: p, count: l * l,
                                probability: dropout.probability, random: dropout.random, stream: dropout.stream,
                                firstIndex: scores)
            }
            // 3. out_h (L,hs) = P·V
            Matmul.gemmOnThisThread(transA: false, transB: false, m: l, n: hs, k: l, a: (dropout?.dropped ?? att) + scores,
                                    lda: l, b: q + 2 * c, ldb: c3, beta: 0, c: out + r0 * c + h * hs, ldc: c)
        }
    }

    /// Accumulates dqkv: (N,3C) from dout: (N,C). datt: (spans.scoreCount) is scratch. With
    /// dropout, `dropoutMask` and `dropped` are the buffers the forward filled.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        att: UnsafePointer<Float>, qkv: UnsafePointer<Float>,
        dropoutMask: UnsafePointer<Float>?, dropped: UnsafePointer<Float>?, spans: SequenceSpans, c: Int
    ) {
        let heads = spans.heads, hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        let probabilities = dropped ?? att
        Parallel.tasks(spans.count * heads) { unit in
            let s = unit / heads, h = unit % heads
            let l = spans.length(s), r0 = spans.rowStarts[s]
            let scores = spans.scoreStarts[s] + h * l * l
            let q = qkv + r0 * c3 + h * hs, dq = dqkv + r0 * c3 + h * hs
            let dy = dout + r0 * c + h * hs
            let d = datt + scores
            // 1. dP = dout_h·Vᵀ and dV += Pᵀ·dout_h
            Matmul.gemmOnThisThread(transA: false, transB: true, m: l, n: l, k: hs, a: dy, lda: c, b: q + 2 * c, ldb: c3,
                                    beta: 0, c: d, ldc: l)
            Matmul.gemmOnThisThread(transA: true, transB: false, m: l, n: hs, k: l, a: probabilities + scores, lda: l,
                                    b: dy, ldb: c, beta: 1, c: dq + 2 * c, ldc: c3)
            // 2. through dropout and softmax, in place: dS = P ⊙ (dP − Σ_j P·dP)
            ck_softmax_backward(d, att + scores, dropoutMask.map { $0 + scores }, l, l)
            // 3. dQ += dS·K/√hs and dK += dSᵀ·Q/√hs
            Matmul.gemmOnThisThread(transA: false, transB: false, m: l, n: hs, k: l, alpha: scale, a: d, lda: l,
                                    b: q + c, ldb: c3, beta: 1, c: dq, ldc: c3)
            Matmul.gemmOnThisThread(transA: true, transB: false, m: l, n: hs, k: l, alpha: scale, a: d, lda: l,
                                    b: q, ldb: c3, beta: 1, c: dq + c, ldc: c3)
        }
    }
}
