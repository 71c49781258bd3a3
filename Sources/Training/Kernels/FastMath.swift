/// Branch-free exp and tanh that the compiler can vectorize (libm's `expf`/`tanhf` are opaque
/// calls, and GELU's tanh over (B,T,4C) elements was the largest non-GEMM cost of a step).
/// Relative error of `exp` is within ~2 ulp over the float range; tests compare with libm.
public enum FastMath {
    /// e^x: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 Taylor polynomial (error < 2e-8
    /// on that interval), 2^n by building the float's exponent bits. Exactly 0 below −87.3 (where
    /// e^x is denormal; a masked attention score must weigh nothing) and clamped above 88.7.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = min(max(x, -87.3), 88.7)
        // Adding 1.5·2²³ rounds x·log2(e) to an integer n held in the low mantissa bits, with no
        // float→int conversion (which would trap on overflow and stop vectorization).
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        // ln2 split in a part exact in float and a correction, so n·ln2 loses no bits
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (shifted.bitPattern &- Float(12_582_912).bitPattern) &+ 127
        return x < -87.3 ? 0 : p * Float(bitPattern: exponent &<< 23)
    }

    /// tanh(x) = sign(x)·(1 − e)/(1 + e) with e = e^(−2|x|) (no overflow for any x).
    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let e = exp(-2 * abs(x))
        let t = (1 - e) / (1 + e)
        return x < 0 ? -t : t
    }
}
