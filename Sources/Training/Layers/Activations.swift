import Foundation

/// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). This is the original
/// Google BERT's `gelu` and HF's `gelu_new` / PyTorch `approximate="tanh"`; HF `BertConfig`'s
/// default `"gelu"` is the exact erf form, which differs by less than 1e-3 everywhere.
public enum GELU {
    static let scale = Float((2 / Double.pi).squareRoot())
    static let cubic: Float = 0.044715

    /// out: (N) = gelu(inp: (N))
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count, costPerRow: 8) { range in
            for i in range {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + FastMath.tanh(scale * (x + cubic * x * x * x)))
            }
        }
    }

    /// dinp: (N) += dout · gelu'(inp)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count, costPerRow: 8) { range in
            for i in range {
                let x = inp[i]
                let t = FastMath.tanh(scale * (x + cubic * x * x * x))
                let dt = (1 - t * t) * scale * (1 + 3 * cubic * x * x)
                dinp[i] += dout[i] * (0.5 * (1 + t) + 0.5 * x * dt)
            }
        }
    }
}

/// tanh, as BERT's pooler applies it to the [CLS] vector.
public enum Tanh {
    /// out: (N) = tanh(inp: (N))
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = tanhf(inp[i]) }
    }

    /// dinp: (N) += dout · (1 − out²)  (uses the forward output)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dinp[i] += dout[i] * (1 - out[i] * out[i]) }
    }
}
