import DSPrepSupport

/// One optimizer step over one or more micro-batches (gradient accumulation): zero the
/// gradients, forward + backward each micro-batch with its loss scaled by 1/count (as the HF
/// Trainer divides by `gradient_accumulation_steps`), clip by global norm, update at the
/// scheduled learning rate.
public struct TrainingStep {
    public struct Result: Sendable, Equatable {
        /// mean of the micro-batch losses
        public var loss: Float
        /// global gradient norm before clipping
        public var gradNorm: Float
        public var learningRate: Float
    }

    public var baseLearningRate: Float
    public var schedule: Schedule
    /// ≤ 0 disables clipping (the norm is still reported).
    public var maxGradNorm: Float

    public init(baseLearningRate: Float, schedule: Schedule, maxGradNorm: Float = 1) {
        self.baseLearningRate = baseLearningRate
        self.schedule = schedule
        self.maxGradNorm = maxGradNorm
    }

    /// `multiplier` replaces the schedule's factor for this step (time-budgeted runs).
    public func run(model: Model, microBatches: [Batch], optimizer: Optimizer, multiplier: Double? = nil) throws -> Result {
        precondition(!microBatches.isEmpty, "a training step needs at least one batch")
        model.parameters.zeroGrads()
        let scale = 1 / Float(microBatches.count)
        var total: Float = 0
        for batch in microBatches {
            guard let loss = try model.forward(batch, training: true) else {
                throw InputError("a training batch has no labels", hint: "name the label column of the training data")
            }
            model.backward(lossScale: scale)
            total += loss
        }
        let norm = GradientClipping.globalNorm(model.parameters)
        let rate = multiplier.map { Float(Double(baseLearningRate) * $0) }
            ?? schedule.learningRate(base: baseLearningRate, step: optimizer.step)
        optimizer.update(learningRate: rate, gradientScale: GradientClipping.scale(norm: norm, maxNorm: maxGradNorm))
        return Result(loss: total * scale, gradNorm: norm, learningRate: rate)
    }
}
