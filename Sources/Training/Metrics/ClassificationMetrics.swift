import DSPrepSupport

/// Accuracy and precision / recall / F1 (macro, micro, weighted) from a confusion matrix,
/// with scikit-learn's conventions: averages run over the labels that occur in the true or the
/// predicted classes, a 0/0 ratio counts as 0, and F1 = 2·tp / (2·tp + fp + fn).
public struct ClassificationMetrics: MetricAccumulator {
    public let classCount: Int
    /// confusion[trueClass · K + predictedClass]
    public private(set) var confusion: [Int]

    public init(classCount: Int) {
        self.classCount = classCount
        confusion = [Int](repeating: 0, count: classCount * classCount)
    }

    public var total: Int { confusion.reduce(0, +) }

    public mutating func add(outputs: UnsafeBufferPointer<Float>, labels: Batch.Labels) throws {
        guard case .classes(let ids) = labels else { throw InputError("classification metrics need class labels") }
        let k = classCount
        try check(outputs.count == ids.count * k, "got \(outputs.count) outputs for \(ids.count) rows of \(k) classes")
        for (row, label) in ids.enumerated() {
            try check(label >= 0 && Int(label) < k, "label \(label) in batch row \(row) is outside 0..<\(k)")
            // argmax, first maximum on ties (numpy's argmax)
            var best = 0
            for j in 1..<max(k, 1) where outputs[row * k + j] > outputs[row * k + best] { best = j }
            confusion[Int(label) * k + best] += 1
        }
    }

    public func compute() -> [String: Double] {
        let k = classCount
        var truePositives = [Int](repeating: 0, count: k), support = [Int](repeating: 0, count: k)
        var predicted = [Int](repeating: 0, count: k)
        for i in 0..<k {
            for j in 0..<k {
                support[i] += confusion[i * k + j]
                predicted[j] += confusion[i * k + j]
            }
            truePositives[i] = confusion[i * k + i]
        }
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        let present = (0..<k).filter { support[$0] + predicted[$0] > 0 }
        let total = support.reduce(0, +), correct = truePositives.reduce(0, +)
        var result: [String: Double] = ["accuracy": ratio(correct, total)]
        let precision = present.map { ratio(truePositives[$0], predicted[$0]) }
        let recall = present.map { ratio(truePositives[$0], support[$0]) }
        let f1 = present.map { ratio(2 * truePositives[$0], support[$0] + predicted[$0]) }
        let weights = present.map { Double(support[$0]) }
        for (name, values) in [("precision", precision), ("recall", recall), ("f1", f1)] {
            result["\(name)_macro"] = present.isEmpty ? 0 : values.reduce(0, +) / Double(present.count)
            result["\(name)_weighted"] = total == 0 ? 0 : zip(values, weights).map { $0 * $1 }.reduce(0, +) / Double(total)
            // single-label: micro precision = micro recall = micro F1 = accuracy
            result["\(name)_micro"] = ratio(correct, total)
        }
        return result
    }
}
