/// The interface the trainer and evaluator drive. A model owns its parameters (one
/// `ParameterStore`) and its activations; `forward` keeps what `backward` needs, llm.c style.
public protocol Model: AnyObject {
    var parameters: ParameterStore { get }
    var task: ProblemType { get }

    /// Runs a batch. `training` enables dropout. Returns the mean loss when the batch has labels.
    func forward(_ batch: Batch, training: Bool) throws -> Float?

    /// (B, task.outputCount) logits or predictions of the last `forward`, valid until the next.
    var outputs: UnsafeBufferPointer<Float> { get }

    /// Accumulates d(lossScale · loss)/dθ into the parameters' gradients (`parameters.grads`, and
    /// `parameters.rowGradient` for a row-sparse table) for the last `forward`, which must have
    /// had labels. Gradient accumulation passes 1/steps as the scale.
    func backward(lossScale: Float)
}
