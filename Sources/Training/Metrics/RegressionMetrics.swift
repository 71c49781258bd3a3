import DSPrepSupport

/// MSE, MAE and Pearson from running sums (Welford's co-moments, stable in one pass), and
/// Spearman from the kept (prediction, label) pairs: Pearson of their ranks, ties averaged
/// (scipy's `spearmanr`).
public struct RegressionMetrics: MetricAccumulator {
    public private(set) var count = 0
    private var meanPrediction = 0.0, meanLabel = 0.0
    private var predictionMoment = 0.0, labelMoment = 0.0, coMoment = 0.0
    private var squaredError = 0.0, absoluteError = 0.0
    public private(set) var predictions: [Float] = []
    public private(set) var labels: [Float] = []

    public init() {}

    public mutating func add(outputs: UnsafeBufferPointer<Float>, labels batchLabels: Batch.Labels) throws {
        guard case .values(let values) = batchLabels else { throw InputError("regression metrics need float labels") }
        try check(outputs.count == values.count, "got \(outputs.count) predictions for \(values.count) labels")
        for (row, label) in values.enumerated() {
            let x = Double(outputs[row]), y = Double(label)
            count += 1
            let dx = x - meanPrediction, dy = y - meanLabel
            meanPrediction += dx / Double(count)
            meanLabel += dy / Double(count)
            predictionMoment += dx * (x - meanPrediction)
            labelMoment += dy * (y - meanLabel)
            coMoment += dx * (y - meanLabel)
            squaredError += (x - y) * (x - y)
            absoluteError += abs(x - y)
            predictions.append(outputs[row])
            labels.append(label)
        }
    }

    public func compute() -> [String: Double] {
        guard count > 0 else { return ["mse": 0, "mae": 0, "pearson": .nan, "spearman": .nan] }
        let n = Double(count)
        return [
            "mse": squaredError / n,
            "mae": absoluteError / n,
            "pearson": Self.correlation(coMoment, predictionMoment, labelMoment),
            "spearman": Self.spearman(predictions, labels),
        ]
    }

    /// NaN when either side is constant (as scipy).
    static func correlation(_ co: Double, _ xx: Double, _ yy: Double) -> Double {
        xx > 0 && yy > 0 ? co / (xx * yy).squareRoot() : .nan
    }

    static func spearman(_ x: [Float], _ y: [Float]) -> Double {
        let rx = ranks(x), ry = ranks(y)
        let n = Double(rx.count), mean = (n + 1) / 2
        var co = 0.0, xx = 0.0, yy = 0.0
        for i in rx.indices {
            co += (rx[i] - mean) * (ry[i] - mean)
            xx += (rx[i] - mean) * (rx[i] - mean)
            yy += (ry[i] - mean) * (ry[i] - mean)
        }
        return correlation(co, xx, yy)
    }

    /// 1-based ranks, tied values getting the mean of the ranks they span.
    static func ranks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let average = Double(start + 1 + end) / 2
            for i in start..<end { ranks[order[i]] = average }
            start = end
        }
        return ranks
    }
}
