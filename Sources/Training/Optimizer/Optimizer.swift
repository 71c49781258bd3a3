/// What the training loop needs from an optimizer: one update of the parameters from the
/// gradients accumulated in the store, at the learning rate the schedule gives for this step.
public protocol Optimizer: AnyObject {
    /// Updates done so far (the scheduler's step index; saved with checkpoints).
    var step: Int { get }
    func update(learningRate: Float)
}
