import CKernels
import DSPrepSupport
import Foundation

/// AdamW (Loshchilov & Hutter) as `torch.optim.AdamW` computes it, with decoupled weight decay
/// applied only to parameters whose spec asks for it (not biases or LayerNorm weights):
///   p ← p − lr·λ·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
/// m and v mirror the gradient buffer (the trainable parameters), so an update is one parallel
/// pass over it (the loop is `ck_adamw_update`, CKernels/adamw.c). Frozen parameters get no state.
/// Weight decay goes to the parameters the HF Trainer decays (`Trainer.get_decay_parameter_names`:
/// not biases, not LayerNorm weights), as `ParameterSpec.weightDecay` says.
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
    /// First and second moments, laid out like `parameters.grads` (saved with checkpoints).
    public let m: FloatBuffer
    public let v: FloatBuffer
    public private(set) var step = 0
    /// (end offset, decayed) per parameter, in buffer order, to find each element's group.
    private let groupEnds: [(end: Int, decay: Bool)]

    public init(parameters: ParameterStore, configuration: Configuration = Configuration()) {
        self.parameters = parameters
        self.configuration = configuration
        m = FloatBuffer(count: parameters.grads.count)
        v = FloatBuffer(count: parameters.grads.count)
        let start = parameters.gradientStart
        groupEnds = zip(parameters.specs, parameters.offsets).dropFirst(parameters.frozenCount).map { ($1 + $0.count - start, $0.weightDecay) }
    }

    /// Sets the step count (bias corrections and the schedule continue from it) on resume.
    public func restore(step: Int) { self.step = step }

    public func update(learningRate lr: Float, gradientScale: Float) {
        step += 1
        let c = configuration
        var constants = ck_adamw_constants(
            beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, learning_rate: lr, gradient_scale: gradientScale,
            correction1: Float(1 - pow(Double(c.beta1), Double(step))),
            correction2: Float(1 - pow(Double(c.beta2), Double(step))))
        let p = parameters.values.pointer + parameters.gradientStart, g = parameters.grads.pointer, m = m.pointer, v = v.pointer
        let groupEnds = groupEnds
        Parallel.forRows(parameters.grads.count, costPerRow: 16) { range in
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
                ck_adamw_update(p + i, g + i, m + i, v + i, end - i, decay, &constants)
                i = end
                group += 1
            }
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
        let specs = parameters.specs, trainable = specs.indices.dropFirst(parameters.frozenCount)
        let offsets = parameters.offsets.map { $0 - parameters.gradientStart }
        return trainable.map { Safetensors.Tensor(name: "exp_avg." + specs[$0].name, shape: specs[$0].shape, values: m.pointer + offsets[$0]) }
            + trainable.map { Safetensors.Tensor(name: "exp_avg_sq." + specs[$0].name, shape: specs[$0].shape, values: v.pointer + offsets[$0]) }
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
