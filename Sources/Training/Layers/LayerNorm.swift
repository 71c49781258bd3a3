import CKernels
import DSPrepSupport

/// Layer normalization over the last dimension (biased variance, as PyTorch). The row loops are C
/// (`ck_layernorm_*`, CKernels/layernorm.c); row sums are kept in 8 partial sums.
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
            let first = rows.lowerBound
            ck_layernorm_forward(out + first * c, mean + first, rstd + first, inp + first * c, weight, bias, rows.count, c, epsilon)
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
            let first = rows.lowerBound
            ck_layernorm_backward_input(dinp + first * c, dout + first * c, inp + first * c, weight, mean + first, rstd + first,
                                        rows.count, c)
        }
        // Parameter gradients: each task owns a range of columns and walks rows in order.
        Parallel.forRows(c, costPerRow: n * 2) { columns in
            let first = columns.lowerBound
            ck_layernorm_backward_parameters(dweight + first, dbias + first, dout + first, inp + first, mean, rstd,
                                             n, columns.count, c)
        }
    }
}
