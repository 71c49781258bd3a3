/// Sequence pooling: packed (N,C) rows → (B,C), by the first token or the mean of the tokens.
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

    /// out: (B,C) = the mean of each packed sequence's rows of inp: (N,C) that are tokens
    /// (keyBias 0; padding the packing kept has `Attention.maskedBias`), as sentence-transformers'
    /// mean pooling over attention_mask. A sequence with no token gives 0.
    public static func spanMeanForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, keyBias: UnsafePointer<Float>,
                                       spans: SequenceSpans, c: Int) {
        for bi in 0..<spans.count {
            let y = out + bi * c
            y.update(repeating: 0, count: c)
            let rows = spans.rowStarts[bi]..<spans.rowStarts[bi + 1]
            var count = 0
            for row in rows where keyBias[row] == 0 {
                let x = inp + row * c
                for j in 0..<c { y[j] += x[j] }
                count += 1
            }
            if count > 0 {
                let inverse = 1 / Float(count)
                for j in 0..<c { y[j] *= inverse }
            }
        }
    }

    /// dinp: (N,C) += dout spread evenly over each sequence's token rows
    public static func spanMeanBackward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, keyBias: UnsafePointer<Float>,
                                        spans: SequenceSpans, c: Int) {
        for bi in 0..<spans.count {
            let rows = spans.rowStarts[bi]..<spans.rowStarts[bi + 1]
            let count = rows.reduce(0) { $0 + (keyBias[$1] == 0 ? 1 : 0) }
            guard count > 0 else { continue }
            let inverse = 1 / Float(count), dy = dout + bi * c
            for row in rows where keyBias[row] == 0 {
                let dx = dinp + row * c
                for j in 0..<c { dx[j] += dy[j] * inverse }
            }
        }
    }
}
