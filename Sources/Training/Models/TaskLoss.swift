import DSPrepSupport

/// The loss on a model's outputs: softmax cross-entropy (optionally class-weighted) for
/// classification, MSE for regression. Shared by every model.
public struct TaskLoss {
    public let task: ProblemType
    /// (K) per-class weights, or nil for the plain mean.
    public let classWeights: [Float]?

    public init(task: ProblemType, classWeights: [Float]? = nil) throws {
        if let classWeights {
            try check(classWeights.count == task.outputCount,
                      "class weights has \(classWeights.count) values for \(task.outputCount) labels")
            try check(classWeights.allSatisfy { $0 >= 0 && $0.isFinite }, "class weights must be finite and non-negative")
        }
        self.task = task
        self.classWeights = classWeights
    }

    /// Checks the labels against the task (class ids in range, finite targets).
    public func validate(_ labels: Batch.Labels) throws {
        switch (task, labels) {
        case (.classification(let k), .classes(let ids)):
            if let (row, id) = ids.enumerated().first(where: { $0.1 < 0 || Int($0.1) >= k }) {
                throw InputError("label \(id) in batch row \(row) is outside 0..<\(k)", hint: "set the number of labels to cover every class id")
            }
        case (.regression, .values(let values)):
            if let row = values.firstIndex(where: { !$0.isFinite }) {
                throw InputError("label in batch row \(row) is not a finite number")
            }
        case (.classification, .values):
            throw InputError("a classification model needs integer class labels, got float values")
        case (.regression, .classes):
            throw InputError("a regression model needs float labels, got class ids")
        }
    }

    /// logits: (B,K); probs: (B,K) scratch kept for `backward`. Labels must be validated.
    public func forward(logits: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, labels: Batch.Labels, b: Int) -> Float {
        switch labels {
        case .classes(let ids):
            return ids.withUnsafeBufferPointer { ids in
                withWeights { CrossEntropy.forward(probs: probs, logits: logits, labels: ids.baseAddress!, weights: $0, b: b, k: task.outputCount) }
            }
        case .values(let values):
            return values.withUnsafeBufferPointer { MeanSquaredError.forward(predictions: logits, labels: $0.baseAddress!, b: b) }
        }
    }

    /// dlogits: (B,K) = d(scale·loss)/dlogits (written).
    public func backward(dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                         labels: Batch.Labels, b: Int, scale: Float) {
        switch labels {
        case .classes(let ids):
            ids.withUnsafeBufferPointer { ids in
                withWeights {
                    CrossEntropy.backward(dlogits: dlogits, probs: probs, labels: ids.baseAddress!, weights: $0, b: b,
                                          k: task.outputCount, scale: scale)
                }
            }
        case .values(let values):
            values.withUnsafeBufferPointer {
                MeanSquaredError.backward(dpredictions: dlogits, predictions: logits, labels: $0.baseAddress!, b: b, scale: scale)
            }
        }
    }

    private func withWeights<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let classWeights else { return body(nil) }
        return classWeights.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
