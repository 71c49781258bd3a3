import CKernels
import Foundation

/// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). This is the original
/// Google BERT's `gelu` and HF's `gelu_new` / PyTorch `approximate="tanh"`; HF `BertConfig`'s
/// default `"gelu"` is the exact erf form, which differs by less than 1e-3 everywhere.
/// The loops are C (`ck_gelu_*`, CKernels/gelu.c) so that they run 8 wide with AVX2+FMA.
public enum GELU {
    /// out: (N) = gelu(inp: (N))
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count, costPerRow: 8) { range in
            ck_gelu_forward(out + range.lowerBound, inp + range.lowerBound, range.count)
        }
    }

    /// dinp: (N) += dout · gelu'(inp)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count, costPerRow: 8) { range in
            ck_gelu_backward(dinp + range.lowerBound, dout + range.lowerBound, inp + range.lowerBound, range.count)
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
