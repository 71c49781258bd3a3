/// The metrics a task reports: a confusion matrix for classification, running moments for
/// regression.
public enum TaskMetrics: MetricAccumulator {
    case classification(ClassificationMetrics)
    case regression(RegressionMetrics)

    public init(task: ProblemType) {
        switch task {
        case .classification(let labels): self = .classification(ClassificationMetrics(classCount: labels))
        case .regression: self = .regression(RegressionMetrics())
        }
    }

    public mutating func add(outputs: UnsafeBufferPointer<Float>, labels: Batch.Labels) throws {
        switch self {
        case .classification(var metrics): try metrics.add(outputs: outputs, labels: labels); self = .classification(metrics)
        case .regression(var metrics): try metrics.add(outputs: outputs, labels: labels); self = .regression(metrics)
        }
    }

    public func compute() -> [String: Double] {
        switch self {
        case .classification(let metrics): return metrics.compute()
        case .regression(let metrics): return metrics.compute()
        }
    }
}

/// Evaluation: forward passes without dropout over labelled batches, metrics accumulated as
/// each batch's outputs arrive (no logits are kept), plus the row-weighted mean loss.
public enum Evaluation {
    /// Returns the metrics with "loss" added.
    public static func run(model: Model, batches: some Sequence<Batch>) throws -> [String: Double] {
        var metrics = TaskMetrics(task: model.task)
        var lossSum = 0.0, rows = 0
        for batch in batches {
            guard let labels = batch.labels, let loss = try model.forward(batch, training: false) else { continue }
            try metrics.add(outputs: model.outputs, labels: labels)
            lossSum += Double(loss) * Double(batch.size)
            rows += batch.size
        }
        var result = metrics.compute()
        result["loss"] = rows > 0 ? lossSum / Double(rows) : .nan
        return result
    }
}
