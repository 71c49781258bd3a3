import CKernels
import DSPrepSupport

/// Inverted dropout: kept elements are scaled by 1/(1−p) in training, so inference is the identity.
/// The mask comes from `CounterRandom` keyed by (stream, element), so it is the same on every run
/// with the same seed and independent of threading. Callers pass a fresh stream per call site
/// and step. Nothing is stored: the backward applies the same call (same stream) to the
/// gradient, which regenerates the mask. The mask loop is C (CKernels/dropout.c).
public enum Dropout {
    /// out: (N) = inp ⊙ mask, mask element i being 0 or 1/(1−p) from random number `firstIndex + i`
    /// of `stream` (`firstIndex` for callers that split a tensor). The forward passes activations,
    /// the backward their gradient. out may alias inp.
    public static func apply(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, probability: Float,
        random: CounterRandom, stream: UInt64, firstIndex: Int = 0
    ) {
        Parallel.forRows(count, costPerRow: 4) { range in
            applyOnThisThread(out: out + range.lowerBound, inp: inp + range.lowerBound, count: range.count,
                              probability: probability, random: random, stream: stream, firstIndex: firstIndex + range.lowerBound)
        }
    }

    /// `apply` on the calling thread (for callers that already run one task per core).
    public static func applyOnThisThread(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, probability p: Float,
        random: CounterRandom, stream: UInt64, firstIndex: Int = 0
    ) {
        ck_dropout_apply(out, inp, count, p, 1 / (1 - p), random.key(stream: stream), UInt64(firstIndex))
    }
}
