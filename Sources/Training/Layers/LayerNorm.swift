/// Layer normalization over the last dimension (biased variance, as PyTorch).
public enum LayerNorm {
    /// BERT's `layer_norm_eps`.
    public static let bertEpsilon: Float = 1e-12

    /// out: (N,C) = (inp − mean)·rstd·weight + bias, per row of inp: (N,C).
    /// mean, rstd: (N) are kept for the backward pass. weight, bias: (C)
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        n: Int, c: Int, epsilon: Float = bertEpsilon
    ) {
        Parallel.forRows(n, costPerRow: c * 4) { rows in
            for i in rows {
                let x = inp + i * c
                var sum: Float = 0
                for j in 0..<c { sum += x[j] }
                let m = sum / Float(c)
                var squares: Float = 0
                for j in 0..<c { let d = x[j] - m; squares += d * d }
                let s = 1 / (squares / Float(c) + epsilon).squareRoot()
                let y = out + i * c
                for j in 0..<c { y[j] = (x[j] - m) * s * weight[j] + bias[j] }
                mean[i] = m
                rstd[i] = s
            }
        }
    }

    /// Accumulates dinp (N,C), dweight (C), dbias (C) from dout (N,C).
    /// With x̂ = (x − mean)·rstd and g = dout·weight:  dinp = rstd·(g − mean(g) − x̂·mean(g·x̂)).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int
    ) {
        Parallel.forRows(n, costPerRow: c * 4) { rows in
            for i in rows {
                let x = inp + i * c, dy = dout + i * c, dx = dinp + i * c
                let m = mean[i], s = rstd[i]
                var gMean: Float = 0, gxMean: Float = 0
                for j in 0..<c {
                    let g = dy[j] * weight[j]
                    gMean += g
                    gxMean += g * (x[j] - m) * s
                }
                gMean /= Float(c)
                gxMean /= Float(c)
                for j in 0..<c {
                    let g = dy[j] * weight[j]
                    dx[j] += s * (g - gMean - (x[j] - m) * s * gxMean)
                }
            }
        }
        // Parameter gradients: each task owns a range of columns and walks rows in order.
        Parallel.forRows(c, costPerRow: n * 2) { columns in
            for i in 0..<n {
                let x = inp + i * c, dy = dout + i * c
                let m = mean[i], s = rstd[i]
                for j in columns {
                    dweight[j] += dy[j] * (x[j] - m) * s
                    dbias[j] += dy[j]
                }
            }
        }
    }
}
