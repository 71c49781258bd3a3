/// Sequence pooling: packed (N,C) or padded (B,T,C) rows → (B,C).
public enum Pooling {
    /// out: (B,C) = the first row of each sequence of inp: (N,C) (its [CLS] position)
    public static func clsForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, spans: SequenceSpans, c: Int) {
        for bi in 0..<spans.count { (out + bi * c).update(from: inp + spans.rowStarts[bi] * c, count: c) }
    }

    /// dinp: (N,C) += dout placed at the first row of each sequence
    public static func clsBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, spans: SequenceSpans, c: Int) {
        for bi in 0..<spans.count {
            let dx = dinp + spans.rowStarts[bi] * c, dy = dout + bi * c
            for j in 0..<c { dx[j] += dy[j] }
        }
    }

    /// out: (B,C) = Σ_t mask·inp / Σ_t mask;  mask: (B,T) attention_mask (all-padding rows give 0)
    public static func meanForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, mask: UnsafePointer<Int32>, b: Int, t: Int, c: Int) {
        for bi in 0..<b {
            let y = out + bi * c
            y.update(repeating: 0, count: c)
            var count = 0
            for ti in 0..<t where mask[bi * t + ti] != 0 {
                let x = inp + (bi * t + ti) * c
                for j in 0..<c { y[j] += x[j] }
                count += 1
            }
            if count > 0 {
                let inverse = 1 / Float(count)
                for j in 0..<c { y[j] *= inverse }
            }
        }
    }

    /// dinp: (B,T,C) += mask·dout / Σ_t mask
    public static func meanBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, mask: UnsafePointer<Int32>, b: Int, t: Int, c: Int) {
        for bi in 0..<b {
            var count = 0
            for ti in 0..<t where mask[bi * t + ti] != 0 { count += 1 }
            guard count > 0 else { continue }
            let inverse = 1 / Float(count), dy = dout + bi * c
            for ti in 0..<t where mask[bi * t + ti] != 0 {
                let dx = dinp + (bi * t + ti) * c
                for j in 0..<c { dx[j] += dy[j] * inverse }
            }
        }
    }
}
