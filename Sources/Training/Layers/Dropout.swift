import CKernels

/// Inverted dropout: kept elements are scaled by 1/(1−p) in training, so inference is the identity.
/// The mask comes from `CounterRandom` keyed by (stream, element), so it is the same on every run
/// with the same seed and independent of threading. Callers pass a fresh stream per call site
/// and step. The mask loop is C (CKernels/dropout.c).
public enum Dropout {
    /// out: (N) = inp · mask;  mask: (N) receives 0 or 1/(1−p). out may alias inp.
    /// Element i draws random number `firstIndex + i` of `stream` (for callers that split a tensor).
    public static func forward(
        out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        count: Int, probability p: Float, random: CounterRandom, stream: UInt64, firstIndex: Int = 0
    ) {
        let keep = 1 / (1 - p), key = random.key(stream: stream)
        Parallel.forRows(count, costPerRow: 4) { range in
            let first = range.lowerBound
            ck_dropout_forward(out + first, mask + first, inp + first, range.count, p, keep, key, UInt64(firstIndex + first))
        }
    }

    /// dinp: (N) += dout · mask
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count) { range in
            for i in range { dinp[i] += dout[i] * mask[i] }
        }
    }
}
