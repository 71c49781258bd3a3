import Foundation

/// The M step of sentencepiece's Unigram EM (`Trainer::RunMStep`): pieces expected fewer than
/// 0.5 times are dropped, and each remaining piece scores `ψ(count) − ψ(total)` (ψ the digamma
/// function): the Bayesian (Dirichlet-prior) variant of EM, which pushes rare pieces further
/// down than `log(count / total)` would.
enum UnigramMaximization {
    static let minimumExpectedCount: Float = 0.5

    /// New ids (−1: dropped) and the kept pieces' scores, in id order.
    static func step(expected: [Double]) -> (newID: [Int32], scores: [Float]) {
        var newID = [Int32](repeating: -1, count: expected.count)
        var kept: [Float] = []
        // Float sums, as sentencepiece keeps them.
        var total: Float = 0
        for (piece, count) in expected.enumerated() {
            let frequency = Float(count)
            guard frequency >= minimumExpectedCount else { continue }
            newID[piece] = Int32(kept.count)
            kept.append(frequency)
            total += frequency
        }
        let logTotal = digamma(Double(total))
        return (newID, kept.map { Float(digamma(Double($0)) - logTotal) })
    }

    /// ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic
    /// series ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ).
    static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let inverse = 1 / x
        let inverse2 = inverse * inverse
        let series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 / 132))))
        return result + log(x) - 0.5 * inverse - series
    }
}
