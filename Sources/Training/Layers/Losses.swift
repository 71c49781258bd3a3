import Foundation

/// Softmax cross-entropy over K classes, mean over the batch. With class weights w it is
/// PyTorch's weighted mean: Σ_b w[y_b]·nll_b / Σ_b w[y_b].
public enum CrossEntropy {
    /// probs: (B,K) receives softmax(logits: (B,K)); labels: (B) in 0..<K (checked by the caller);
    /// weights: (K) or nil. Returns the mean loss.
    public static func forward(
        probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>?, b: Int, k: Int
    ) -> Float {
        var loss = 0.0, weightSum = 0.0
        for bi in 0..<b {
            let z = logits + bi * k, p = probs + bi * k
            var maximum = -Float.infinity
            for j in 0..<k { maximum = max(maximum, z[j]) }
            var sum: Float = 0
            for j in 0..<k { p[j] = expf(z[j] - maximum); sum += p[j] }
            for j in 0..<k { p[j] /= sum }
            let y = Int(labels[bi])
            let w = Double(weights?[y] ?? 1)
            // log-sum-exp form: stays finite when p[y] underflows
            loss += w * (Double(logf(sum)) + Double(maximum) - Double(z[y]))
            weightSum += w
        }
        return weightSum > 0 ? Float(loss / weightSum) : 0
    }

    /// dlogits: (B,K) = scale · w[y]·(probs − onehot(y)) / Σ w[y]   (written, not accumulated)
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>?, b: Int, k: Int, scale: Float = 1
    ) {
        var weightSum: Float = 0
        for bi in 0..<b { weightSum += weights?[Int(labels[bi])] ?? 1 }
        guard weightSum > 0 else { dlogits.update(repeating: 0, count: b * k); return }
        for bi in 0..<b {
            let y = Int(labels[bi])
            let factor = scale * (weights?[y] ?? 1) / weightSum
            for j in 0..<k {
                dlogits[bi * k + j] = factor * (probs[bi * k + j] - (j == y ? 1 : 0))
            }
        }
    }
}

/// Mean squared error of one prediction per row, mean over the batch.
public enum MeanSquaredError {
    /// predictions, labels: (B). Returns Σ(p − y)²/B.
    public static func forward(predictions: UnsafePointer<Float>, labels: UnsafePointer<Float>, b: Int) -> Float {
        var sum = 0.0
        for i in 0..<b { let d = Double(predictions[i]) - Double(labels[i]); sum += d * d }
        return b > 0 ? Float(sum / Double(b)) : 0
    }

    /// dpredictions: (B) = scale · 2(p − y)/B   (written, not accumulated)
    public static func backward(dpredictions: UnsafeMutablePointer<Float>, predictions: UnsafePointer<Float>,
                                labels: UnsafePointer<Float>, b: Int, scale: Float = 1) {
        for i in 0..<b { dpredictions[i] = scale * 2 * (predictions[i] - labels[i]) / Float(b) }
    }
}
