/// What the training loop needs from an optimizer: one update of the parameters from the
/// gradients accumulated in the store, at the learning rate the schedule gives for this step.
public protocol Optimizer: AnyObject {
    /// Updates done so far (the scheduler's step index; saved with checkpoints).
    var step: Int { get }
    /// Applies gradients × `gradientScale` (the clipping factor, folded into the update pass).
    func update(learningRate: Float, gradientScale: Float)
}

extension Optimizer {
    public func update(learningRate: Float) { update(learningRate: learningRate, gradientScale: 1) }
}
