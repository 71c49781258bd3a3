import Foundation

/// Multi-head self-attention core (the projections around it are `Linear` layers):
/// softmax(Q·Kᵀ/√hs + maskBias)·V per head, with optional dropout on the probabilities.
///
/// Layout: qkv: (B,T,3C) holds Q | K | V in each row; head h uses columns h·hs..<(h+1)·hs of each
/// block (hs = C/NH), which is how HF's separate query/key/value outputs sit side by side. Every
/// per-head product runs on these strided slices directly (no transposes are materialized).
public enum Attention {
    /// BERT's additive mask value for padding keys (`(1 − mask) · −10000`); exp underflows to 0.
    public static let maskedBias: Float = -10_000

    /// maskBias: (B,T) = 0 where attention_mask is 1 and `maskedBias` where it is 0.
    public static func maskBias(_ out: UnsafeMutablePointer<Float>, attentionMask: UnsafePointer<Int32>, count: Int) {
        for i in 0..<count { out[i] = attentionMask[i] != 0 ? 0 : maskedBias }
    }

    /// Dropout on attention probabilities: `probability` > 0 only in training; `mask` and
    /// `dropped` are (B,NH,T,T) buffers.
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

    /// out: (B,T,C);  att: (B,NH,T,T) receives the softmax probabilities (kept for backward);
    /// qkv: (B,T,3C);  maskBias: (B,T)
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        maskBias: UnsafePointer<Float>, dropout: ProbabilityDropout?, b: Int, t: Int, c: Int, heads: Int
    ) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        // 1. scores (T,T) = Q·Kᵀ/√hs for every (batch, head)
        for bh in 0..<(b * heads) {
            let row = qkv + (bh / heads) * t * c3 + (bh % heads) * hs
            Matmul.gemm(transA: false, transB: true, m: t, n: t, k: hs, alpha: scale, a: row, lda: c3,
                        b: row + c, ldb: c3, beta: 0, c: att + bh * t * t, ldc: t)
        }
        // 2. add the key mask, softmax each row (and drop probabilities) in parallel over rows
        Parallel.forRows(b * heads * t, costPerRow: t * 8) { rows in
            for r in rows {
                let p = att + r * t
                let bias = maskBias + (r / (heads * t)) * t
                var maximum = -Float.infinity
                for j in 0..<t { p[j] += bias[j]; maximum = max(maximum, p[j]) }
                var sum: Float = 0
                for j in 0..<t { p[j] = FastMath.exp(p[j] - maximum) }  // separate loop: vectorizes
                for j in 0..<t { sum += p[j] }
                let inverse = 1 / sum
                for j in 0..<t { p[j] *= inverse }
                if let dropout {
                    Dropout.forward(out: dropout.dropped + r * t, mask: dropout.mask + r * t, inp: p, count: t,
                                    probability: dropout.probability, random: dropout.random,
                                    stream: dropout.stream, firstIndex: r * t)
                }
            }
        }
        // 3. out_h (T,hs) = P·V
        let probabilities = dropout?.dropped ?? att
        for bh in 0..<(b * heads) {
            let bi = bh / heads, h = bh % heads
            Matmul.gemm(transA: false, transB: false, m: t, n: hs, k: t, a: probabilities + bh * t * t, lda: t,
                        b: qkv + bi * t * c3 + 2 * c + h * hs, ldb: c3, beta: 0, c: out + bi * t * c + h * hs, ldc: c)
        }
    }

    /// Accumulates dqkv: (B,T,3C) from dout: (B,T,C). datt: (B,NH,T,T) is scratch. With dropout,
    /// `dropoutMask` and `dropped` are the (B,NH,T,T) buffers the forward filled.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        att: UnsafePointer<Float>, qkv: UnsafePointer<Float>,
        dropoutMask: UnsafePointer<Float>?, dropped: UnsafePointer<Float>?,
        b: Int, t: Int, c: Int, heads: Int
    ) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        let probabilities = dropped ?? att
        // 1. dP = dout_h·Vᵀ and dV += Pᵀ·dout_h
        for bh in 0..<(b * heads) {
            let bi = bh / heads, h = bh % heads
            let dy = dout + bi * t * c + h * hs
            let v = qkv + bi * t * c3 + 2 * c + h * hs
            Matmul.gemm(transA: false, transB: true, m: t, n: t, k: hs, a: dy, lda: c, b: v, ldb: c3,
                        beta: 0, c: datt + bh * t * t, ldc: t)
            Matmul.gemm(transA: true, transB: false, m: t, n: hs, k: t, a: probabilities + bh * t * t, lda: t,
                        b: dy, ldb: c, beta: 1, c: dqkv + bi * t * c3 + 2 * c + h * hs, ldc: c3)
        }
        // 2. through dropout and softmax, in place: dS = P ⊙ (dP − Σ_j P·dP)
        Parallel.forRows(b * heads * t, costPerRow: t * 4) { rows in
            for r in rows {
                let d = datt + r * t, p = att + r * t
                if let dropoutMask {
                    let mask = dropoutMask + r * t
                    for j in 0..<t { d[j] *= mask[j] }
                }
                var dot: Float = 0
                for j in 0..<t { dot += p[j] * d[j] }
                for j in 0..<t { d[j] = p[j] * (d[j] - dot) }
            }
        }
        // 3. dQ += dS·K/√hs and dK += dSᵀ·Q/√hs
        for bh in 0..<(b * heads) {
            let row = (bh / heads) * t * c3 + (bh % heads) * hs
            let ds = datt + bh * t * t
            Matmul.gemm(transA: false, transB: false, m: t, n: hs, k: t, alpha: scale, a: ds, lda: t,
                        b: qkv + row + c, ldb: c3, beta: 1, c: dqkv + row, ldc: c3)
            Matmul.gemm(transA: true, transB: false, m: t, n: hs, k: t, alpha: scale, a: ds, lda: t,
                        b: qkv + row, ldb: c3, beta: 1, c: dqkv + row + c, ldc: c3)
        }
    }
}
