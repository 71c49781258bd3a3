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

/// sentence-transformers' CoSENTLoss on a batch's pair similarities: every pair of rows whose
/// scores are ordered (y_i < y_j) should have its cosines in the same order, so
/// loss = log(1 + Σ_{y_i < y_j} exp(λ·(c_i − c_j))), with λ = 20 as there. Only the order of the
/// scores matters, not their scale.
public enum CoSENT {
    public static let lambda: Float = 20

    /// cosines, labels: (B). Returns the loss; weights: (B·B) receives each ordered pair's share
    /// exp(λ(c_i − c_j)) / (1 + Σ) (0 elsewhere), kept for `backward`.
    public static func forward(weights: UnsafeMutablePointer<Float>, cosines: UnsafePointer<Float>, labels: UnsafePointer<Float>, b: Int) -> Float {
        // log-sum-exp over {0} ∪ {λ(c_i − c_j)}, shifted by its largest term
        var largest: Float = 0
        for i in 0..<b { for j in 0..<b where labels[i] < labels[j] { largest = max(largest, lambda * (cosines[i] - cosines[j])) } }
        var sum = expf(-largest)
        weights.update(repeating: 0, count: b * b)
        for i in 0..<b {
            for j in 0..<b where labels[i] < labels[j] {
                weights[i * b + j] = expf(lambda * (cosines[i] - cosines[j]) - largest)
                sum += weights[i * b + j]
            }
        }
        for index in 0..<(b * b) { weights[index] /= sum }
        return largest + logf(sum)
    }

    /// dcosines: (B) = scale · dloss/dc (written): λ·w_ij toward c_i, −λ·w_ij toward c_j.
    public static func backward(dcosines: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>, b: Int, scale: Float) {
        dcosines.update(repeating: 0, count: b)
        for i in 0..<b {
            for j in 0..<b where weights[i * b + j] != 0 {
                let g = scale * lambda * weights[i * b + j]
                dcosines[i] += g
                dcosines[j] -= g
            }
        }
    }
}
