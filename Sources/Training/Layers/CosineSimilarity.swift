/// The cosine of row pairs, as `torch.nn.functional.cosine_similarity` computes it (each norm
/// clamped below at 1e-8, so a zero vector gives 0): a bi-encoder's prediction for a text pair.
public enum CosineSimilarity {
    public static let epsilon: Float = 1e-8

    /// out: (B) = a_i·b_i / (‖a_i‖·‖b_i‖), with a, b: (B,C);  norms: (2B) the clamped norms of a's
    /// rows, then b's (kept for the backward).
    public static func forward(out: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>,
                               a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int, c: Int) {
        for i in 0..<n {
            let x = a + i * c, y = b + i * c
            var dot: Float = 0, xx: Float = 0, yy: Float = 0
            for j in 0..<c {
                dot += x[j] * y[j]
                xx += x[j] * x[j]
                yy += y[j] * y[j]
            }
            norms[i] = max(xx.squareRoot(), epsilon)
            norms[n + i] = max(yy.squareRoot(), epsilon)
            out[i] = dot / (norms[i] * norms[n + i])
        }
    }

    /// da, db: (B,C) += dout_i · ∂cos_i/∂a_i, ∂cos_i/∂b_i, where ∂cos/∂a = b/(‖a‖‖b‖) − cos·a/‖a‖².
    public static func backward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                out: UnsafePointer<Float>, norms: UnsafePointer<Float>,
                                a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int, c: Int) {
        for i in 0..<n {
            let x = a + i * c, y = b + i * c, dx = da + i * c, dy = db + i * c
            let nx = norms[i], ny = norms[n + i], cosine = out[i], g = dout[i]
            let cross = g / (nx * ny), selfX = g * cosine / (nx * nx), selfY = g * cosine / (ny * ny)
            for j in 0..<c {
                dx[j] += cross * y[j] - selfX * x[j]
                dy[j] += cross * x[j] - selfY * y[j]
            }
        }
    }
}
