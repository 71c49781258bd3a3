/// Tracks the best evaluation whatever is saved (HF only records it when a checkpoint is
/// written), and counts evaluations without improvement for early stopping, which needs only a
/// metric and a patience, not a checkpoint policy.
struct BestMetricTracker {
    let name: String
    let greaterIsBetter: Bool
    /// An improvement must beat the best by more than this (HF `early_stopping_threshold`).
    let threshold: Double
    let patience: Int?

    /// Returns whether `value` is a new best; updates `state` (best metric, step, patience count).
    func observe(_ value: Double?, step: Int, checkpoint: String, state: inout TrainerState) -> Bool {
        guard let value, value.isFinite else {
            state.evaluationsWithoutImprovement += 1
            return false
        }
        let isBest = state.bestMetric.map { greaterIsBetter ? value > $0 : value < $0 } ?? true
        let isImprovement = state.bestMetric.map { greaterIsBetter ? value - $0 > threshold : $0 - value > threshold } ?? true
        if isBest {
            state.bestMetric = value
            state.bestGlobalStep = step
            state.bestModelCheckpoint = checkpoint
        }
        state.evaluationsWithoutImprovement = isImprovement ? 0 : state.evaluationsWithoutImprovement + 1
        return isBest
    }

    func shouldStop(_ state: TrainerState) -> Bool {
        patience.map { state.evaluationsWithoutImprovement >= $0 } ?? false
    }
}
