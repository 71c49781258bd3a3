import CKernels
import Foundation

/// Random numbers from (seed, stream, index) with no state, via the SplitMix64 finalizer. Each
/// element of a dropout mask or an initialised tensor gets its own index, so values do not
/// depend on thread scheduling and two runs with the same seed are identical.
public struct CounterRandom: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// SplitMix64's finalizer (`ck_mix`, shared with the dropout kernel).
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 { ck_mix(value) }

    /// What `bits` mixes each index of `stream` with.
    @inline(__always)
    public func key(stream: UInt64) -> UInt64 { CounterRandom.mix(seed ^ CounterRandom.mix(stream)) }

    /// 64 random bits for element `index` of stream `stream`.
    @inline(__always)
    public func bits(stream: UInt64, index: UInt64) -> UInt64 {
        CounterRandom.mix(key(stream: stream) ^ index)
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
