import CKernels
import DSPrepSupport
import Foundation

/// GELU in either of the two forms pretrained models use, named as HF `hidden_act` names them:
/// - `exact` ("gelu"): x·Φ(x) = 0.5·x·(1 + erf(x/√2)), PyTorch's default and HF `BertConfig`'s;
/// - `tanh` ("gelu_new", "gelu_pytorch_tanh"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the
///   original Google BERT's, which dsprep's from-scratch Transformer uses (it differs from the
///   exact form by less than 1e-3, too much for parity with a pretrained model).
/// The loops are C (`ck_gelu_*`, CKernels/gelu.c) so that they run 8 wide with AVX2+FMA.
public enum GELU {
    public enum Form: String, Sendable, Codable, CaseIterable {
        case exact = "gelu"
        case tanh = "gelu_new"

        /// The form an HF `hidden_act` names, nil for other activations.
        public init?(hiddenAct: String) {
            switch hiddenAct {
            case "gelu": self = .exact
            case "gelu_new", "gelu_pytorch_tanh": self = .tanh
            default: return nil
            }
        }
    }

    /// out: (N) = gelu(inp: (N))
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, form: Form = .tanh) {
        Parallel.forRows(count, costPerRow: 8) { range in
            switch form {
            case .exact: ck_gelu_erf_forward(out + range.lowerBound, inp + range.lowerBound, range.count)
            case .tanh: ck_gelu_forward(out + range.lowerBound, inp + range.lowerBound, range.count)
            }
        }
    }

    /// dinp: (N) += dout · gelu'(inp)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int,
                                form: Form = .tanh) {
        Parallel.forRows(count, costPerRow: 8) { range in
            let (i, o, g) = (dinp + range.lowerBound, dout + range.lowerBound, inp + range.lowerBound)
            switch form {
            case .exact: ck_gelu_erf_backward(i, o, g, range.count)
            case .tanh: ck_gelu_backward(i, o, g, range.count)
            }
        }
    }
}

extension GELU {
    /// For a layer that did not keep gelu's output: d: (N) ← d ⊙ gelu'(inp) in place, and
    /// out: (N) = gelu(inp) again, bit for bit what `forward` gave, from the same pass.
    public static func backwardRecomputing(_ d: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                           count: Int, form: Form = .tanh) {
        Parallel.forRows(count, costPerRow: 8) { range in
            let (d, o, x) = (d + range.lowerBound, out + range.lowerBound, inp + range.lowerBound)
            switch form {
            case .exact: ck_gelu_erf_backward_recomputing(d, o, x, range.count)
            case .tanh: ck_gelu_backward_recomputing(d, o, x, range.count)
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

public enum ReLU {
    /// out: (N) = max(inp: (N), 0)
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = max(inp[i], 0) }
    }

    /// dinp: (N) += dout where the forward output is positive (uses the forward output; torch's
    /// gradient at 0 is 0 as well)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out: UnsafePointer<Float>, count: Int) {
        for i in 0..<count where out[i] > 0 { dinp[i] += dout[i] }
    }
}
