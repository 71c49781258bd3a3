/// A small deterministic random number generator (SplitMix64), so that `--seed` gives the same
/// shuffles and splits on every platform and Swift version (the standard library's generator is
/// not seedable).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// The seed of every `--seed` flag and the trainer's `seed` setting when none is given.
    public static let defaultSeed: UInt64 = 42

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A uniform integer in 0..<bound without modulo bias (Lemire's method).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold { product = next().multipliedFullWidth(by: limit) }
        }
        return Int(product.high)
    }

    /// Fisher–Yates shuffle driven by `below`, so the permutation depends only on the seed.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, below(index + 1))
        }
    }
}
