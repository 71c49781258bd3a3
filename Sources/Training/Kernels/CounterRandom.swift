import Foundation

/// Random numbers from (seed, stream, index) with no state, via the SplitMix64 finalizer. Each
/// element of a dropout mask or an initialised tensor gets its own index, so values do not
/// depend on thread scheduling and two runs with the same seed are identical.
public struct CounterRandom: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for element `index` of stream `stream`.
    @inline(__always)
    public func bits(stream: UInt64, index: UInt64) -> UInt64 {
        CounterRandom.mix(CounterRandom.mix(seed ^ CounterRandom.mix(stream)) ^ index)
    }

    /// Uniform in [0, 1) with 24 random bits (exactly representable as Float).
    @inline(__always)
    public func uniform(stream: UInt64, index: UInt64) -> Float {
        Float(bits(stream: stream, index: index) >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal via Box–Muller on two uniforms from the element's own 64 bits.
    public func normal(stream: UInt64, index: UInt64) -> Float {
        let r = bits(stream: stream, index: index)
        let u1 = (Double(r >> 32) + 0.5) / 4_294_967_296.0
        let u2 = Double(r & 0xFFFF_FFFF) / 4_294_967_296.0
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
