import DSPrepSupport
import Foundation

/// AdamW (Loshchilov & Hutter) as `torch.optim.AdamW` computes it, with decoupled weight decay
/// applied only to parameters whose spec asks for it (not biases or LayerNorm weights):
///   p ← p − lr·λ·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
/// m and v mirror the parameter buffer, so an update is one parallel pass over it.
public final class AdamW: Optimizer {
    public struct Configuration: Sendable, Equatable, Codable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    public let parameters: ParameterStore
    public let configuration: Configuration
    /// First and second moments, laid out like `parameters.values` (saved with checkpoints).
    public let m: FloatBuffer
    public let v: FloatBuffer
    public private(set) var step = 0
    /// (end offset, decayed) per parameter, in buffer order, to find each element's group.
    private let groupEnds: [(end: Int, decay: Bool)]

    public init(parameters: ParameterStore, configuration: Configuration = Configuration()) {
        self.parameters = parameters
        self.configuration = configuration
        m = FloatBuffer(count: parameters.count)
        v = FloatBuffer(count: parameters.count)
        groupEnds = zip(parameters.specs, parameters.offsets).map { ($1 + $0.count, $0.weightDecay) }
    }

    /// Sets the step count (bias corrections and the schedule continue from it) on resume.
    public func restore(step: Int) { self.step = step }

    public func update(learningRate lr: Float, gradientScale: Float) {
        step += 1
        let c = configuration
        let constants = StepConstants(
            beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, learningRate: lr, gradientScale: gradientScale,
            correction1: Float(1 - pow(Double(c.beta1), Double(step))),
            correction2: Float(1 - pow(Double(c.beta2), Double(step))))
        let p = parameters.values.pointer, g = parameters.grads.pointer, m = m.pointer, v = v.pointer
        let groupEnds = groupEnds
        Parallel.forRows(parameters.count, costPerRow: 16) { range in
            // first group that ends after range.lowerBound
            var low = 0, high = groupEnds.count
            while low < high {
                let mid = (low + high) / 2
                if groupEnds[mid].end <= range.lowerBound { low = mid + 1 } else { high = mid }
            }
            var group = low, i = range.lowerBound
            while i < range.upperBound {
                let end = min(groupEnds[group].end, range.upperBound)
                let decay: Float = groupEnds[group].decay ? 1 - lr * c.weightDecay : 1
                AdamW.updateSpan(p + i, g + i, m + i, v + i, count: end - i, decay: decay, constants)
                i = end
                group += 1
            }
        }
    }

    struct StepConstants {
        var beta1, beta2, epsilon, learningRate, gradientScale, correction1, correction2: Float
    }

    /// One span of the update, 8 lanes at a time with SIMD8 (the four pointers cannot be proven
    /// disjoint, so the compiler would not vectorize the plain loop); the tail goes through the
    /// same lanes, so every element gets the same result wherever a span boundary falls.
    @inline(__always)
    static func updateSpan(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                           _ v: UnsafeMutablePointer<Float>, count: Int, decay: Float, _ k: StepConstants) {
        @inline(__always)
        func lanes(_ p: SIMD8<Float>, _ g: SIMD8<Float>, _ m: SIMD8<Float>, _ v: SIMD8<Float>)
            -> (p: SIMD8<Float>, m: SIMD8<Float>, v: SIMD8<Float>) {
            let gradient = g * k.gradientScale
            let m = k.beta1 * m + (1 - k.beta1) * gradient
            let v = k.beta2 * v + (1 - k.beta2) * gradient * gradient
            let mHat = m / k.correction1, vHat = v / k.correction2
            var root = vHat
            for lane in root.indices { root[lane] = root[lane].squareRoot() }
            return (p * decay - k.learningRate * mHat / (root + k.epsilon), m, v)
        }
        var i = 0
        while i + 8 <= count {
            func load(_ x: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
                UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            }
            let r = lanes(load(p), load(g), load(m), load(v))
            UnsafeMutableRawPointer(p + i).storeBytes(of: r.p, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(m + i).storeBytes(of: r.m, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: r.v, as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            // the tail in the low lanes of one zero-padded vector
            var tail = (p: SIMD8<Float>(), g: SIMD8<Float>(), m: SIMD8<Float>(), v: SIMD8<Float>())
            for lane in 0..<(count - i) {
                (tail.p[lane], tail.g[lane], tail.m[lane], tail.v[lane]) = (p[i + lane], g[i + lane], m[i + lane], v[i + lane])
            }
            let r = lanes(tail.p, tail.g, tail.m, tail.v)
            for lane in 0..<(count - i) { (p[i + lane], m[i + lane], v[i + lane]) = (r.p[lane], r.m[lane], r.v[lane]) }
        }
    }
}

/// Gradient clipping by global L2 norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// √Σg² over the whole gradient buffer (the Trainer logs it as `grad_norm`).
    public static func globalNorm(_ grads: FloatBuffer) -> Float {
        Float(Elementwise.sumOfSquares(grads.pointer, count: grads.count).squareRoot())
    }

    /// The factor gradients are multiplied by: maxNorm/(norm + 1e-6) when that is below 1,
    /// else 1. maxNorm ≤ 0 disables clipping.
    public static func scale(norm: Float, maxNorm: Float) -> Float {
        let coefficient = maxNorm / (norm + 1e-6)
        return maxNorm > 0 && coefficient < 1 ? coefficient : 1
    }

    /// Scales `grads` in place; returns the norm before clipping. (`TrainingStep` instead passes
    /// the scale to the optimizer, saving a pass over the gradients.)
    @discardableResult
    public static func clip(_ grads: FloatBuffer, maxNorm: Float) -> Float {
        let norm = globalNorm(grads)
        let factor = scale(norm: norm, maxNorm: maxNorm)
        if factor != 1 { Elementwise.scale(grads.pointer, by: factor, count: grads.count) }
        return norm
    }
}

extension AdamW {
    /// The moments as named tensors (`exp_avg.<parameter>`, `exp_avg_sq.<parameter>`, PyTorch's
    /// state names) for `Safetensors`, with the step count as metadata.
    public var stateTensors: [Safetensors.Tensor] {
        let specs = parameters.specs, offsets = parameters.offsets
        return specs.indices.map { Safetensors.Tensor(name: "exp_avg." + specs[$0].name, shape: specs[$0].shape, values: m.pointer + offsets[$0]) }
            + specs.indices.map { Safetensors.Tensor(name: "exp_avg_sq." + specs[$0].name, shape: specs[$0].shape, values: v.pointer + offsets[$0]) }
    }

    public func saveState(to path: String) throws {
        try Safetensors.write(stateTensors, to: path, metadata: ["step": String(step)])
    }

    /// Restores moments and step count written by `saveState`.
    public func loadState(from path: String) throws {
        let (metadata, _) = try Safetensors.load(path, into: stateTensors)
        guard let text = metadata["step"], let saved = Int(text), saved >= 0 else {
            throw InputError("optimizer state has no valid \"step\" in its metadata", at: SourceLocation(path: path))
        }
        restore(step: saved)
    }
}
