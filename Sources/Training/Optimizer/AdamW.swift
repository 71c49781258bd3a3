import CKernels
import DSPrepSupport
import Foundation

/// AdamW (Loshchilov & Hutter) as `torch.optim.AdamW` computes it, with decoupled weight decay
/// applied only to parameters whose spec asks for it (not biases or LayerNorm weights):
///   p ← p − lr·λ·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
/// m and v mirror the trainable parameters, so an update is one parallel pass over them (the loop
/// is `ck_adamw_update`, CKernels/adamw.c). Frozen parameters get no state. A row-sparse gradient
/// (`RowSparseGradient`) changes what is read, not what is computed: rows without gradient take
/// the step of a zero gradient, as `torch.optim.AdamW` gives every row of a dense one. A row
/// whose moments are still zero (never had a gradient: most of a 250k-piece vocabulary during a
/// fine-tune) is skipped, or only decayed, because that is exactly what the zero-gradient step
/// computes for it (m and v stay 0, and p − lr·0/(√0 + ε) = p); this saves a memory-bound pass
/// over the whole table every step.
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
    /// First and second moments of values[parameters.trainableStart...] (saved with checkpoints).
    public let m: FloatBuffer
    public let v: FloatBuffer
    public private(set) var step = 0
    /// (end offset in m, decayed) per trainable parameter, in buffer order, to find each element's group.
    private let groupEnds: [(end: Int, decay: Bool)]
    /// Per row of the row-sparse table: whether its moments may be non-zero (it has had a gradient).
    /// A row marked false has m = v = 0 exactly.
    private var rowHasMoments: [Bool]

    public init(parameters: ParameterStore, configuration: Configuration = Configuration()) {
        self.parameters = parameters
        self.configuration = configuration
        m = FloatBuffer(count: parameters.count - parameters.trainableStart)
        v = FloatBuffer(count: parameters.count - parameters.trainableStart)
        let start = parameters.trainableStart
        groupEnds = zip(parameters.specs, parameters.offsets).dropFirst(parameters.leading == .frozen ? 1 : 0)
            .map { ($1 + $0.count - start, $0.weightDecay) }
        rowHasMoments = [Bool](repeating: false, count: parameters.rowGradient?.rows ?? 0)
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
        let count = m.count, p = parameters.values.pointer + parameters.trainableStart, m = m.pointer, v = v.pointer
        // element i of m has its dense gradient at g + (i − denseStart)
        let g = parameters.grads.pointer, denseStart = parameters.denseGradientStart - parameters.trainableStart
        let rowGradient = parameters.rowGradient, groupEnds = groupEnds
        if let rowGradient { for row in rowGradient.touchedRows { rowHasMoments[Int(row)] = true } }
        // The row-sparse table and the dense parameters are split across cores apart: the table's
        // elements cost little where rows are skipped, so one even split of both left a core idle.
        let tableEnd = rowGradient == nil ? 0 : groupEnds[0].end
        rowHasMoments.withUnsafeBufferPointer { hasMoments in
            for span in [0..<tableEnd, tableEnd..<count] where !span.isEmpty {
                Parallel.forRows(span.count, costPerRow: 16) { local in
                    let range = (span.lowerBound + local.lowerBound)..<(span.lowerBound + local.upperBound)
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
                        if let rowGradient, group == 0 {
                            Self.updateRows(i..<end, of: rowGradient, hasMoments: hasMoments, p: p, m: m, v: v, decay: decay, constants: &constants)
                        } else {
                            ck_adamw_update(p + i, g + (i - denseStart), m + i, v + i, end - i, decay, &constants)
                        }
                        i = end
                        group += 1
                    }
                }
            }
        }
    }

    /// Elements `range` of the row-sparse table (which leads p, m and v): rows with a gradient
    /// read it from their slot, runs of rows without one take the zero-gradient step, which for
    /// rows whose moments are zero is p·decay alone.
    private static func updateRows(_ range: Range<Int>, of gradient: RowSparseGradient, hasMoments: UnsafeBufferPointer<Bool>,
                                   p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                                   decay: Float, constants: UnsafePointer<ck_adamw_constants>) {
        let width = gradient.width
        var i = range.lowerBound
        while i < range.upperBound {
            var row = i / width
            if let slot = gradient.slot(ofRow: row) {
                let end = min((row + 1) * width, range.upperBound)
                ck_adamw_update(p + i, gradient.values + slot * width + (i - row * width), m + i, v + i, end - i, decay, constants)
                i = end
                continue
            }
            // a run of rows without gradient that agree on having moments
            let moving = hasMoments[row]
            repeat { row += 1 } while row * width < range.upperBound && gradient.slot(ofRow: row) == nil && hasMoments[row] == moving
            let end = min(row * width, range.upperBound)
            if moving {
                ck_adamw_update_without_gradient(p + i, m + i, v + i, end - i, decay, constants)
            } else if decay != 1 {
                for j in i..<end { p[j] *= decay }
            }
            i = end
        }
    }
}

/// Gradient clipping by global L2 norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// √Σg² over the whole gradient buffer.
    public static func globalNorm(_ grads: FloatBuffer) -> Float {
        Float(Elementwise.sumOfSquares(grads.pointer, count: grads.count).squareRoot())
    }

    /// √Σg² over every gradient of the store, dense and row-sparse (the Trainer logs it as `grad_norm`).
    public static func globalNorm(_ parameters: ParameterStore) -> Float {
        Float(parameters.gradientSumOfSquares().squareRoot())
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
        let specs = parameters.specs, trainable = specs.indices.filter(parameters.isTrainable)
        let offsets = parameters.offsets.map { $0 - parameters.trainableStart }
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
        markRowsWithMoments()
    }

    /// After loading moments: which rows of the row-sparse table have any non-zero m or v.
    private func markRowsWithMoments() {
        guard let width = parameters.rowGradient?.width else { return }
        for row in rowHasMoments.indices {
            let start = row * width
            rowHasMoments[row] = (start..<start + width).contains { m.pointer[$0] != 0 || v.pointer[$0] != 0 }
        }
    }
}
