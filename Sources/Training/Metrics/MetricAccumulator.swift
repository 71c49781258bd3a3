import DSPrepSupport

/// Evaluation metrics that accumulate batch by batch, so an evaluation never holds all logits:
/// classification keeps a K×K confusion matrix, regression keeps running moments plus the
/// (prediction, label) pairs Spearman's ranks need (two Floats per row).
public protocol MetricAccumulator {
    /// Adds one batch: outputs (B, K) as `Model.outputs` gives them, and the batch's labels.
    mutating func add(outputs: UnsafeBufferPointer<Float>, labels: Batch.Labels) throws
    /// The metrics so far, keyed as the HF Trainer logs them without the `eval_` prefix.
    func compute() -> [String: Double]
}
