import DSPrepSupport
import Foundation

/// The training loop: length-grouped batches from the shards, gradient accumulation, clipping
/// and the schedule (`TrainingStep`), evaluation each epoch or every N steps with streaming
/// metrics, best-metric tracking, early stopping, `checkpoint-{step}/` folders with the "best
/// plus last N" retention, exact resume, `--max-time`, and the logs and plots of a run.
public final class Trainer<Rows: TokenRows> {
    public struct Outcome {
        public var state: TrainerState
        /// Why the loop ended: "completed", "early stopping", "max_time".
        public var stopReason: String
        public var seconds: Double
        public var samplesPerSecond: Double
    }

    let arguments: TrainingArguments
    let train: LabelledRows<Rows>
    let eval: LabelledRows<Rows>?
    public let model: Model
    let optimizer: AdamW
    let collator: Collator
    let folders: CheckpointFolders
    let report: TrainingReport
    let tracker: BestMetricTracker
    let stepsPerEpoch: Int
    let totalSteps: Int
    let schedule: Schedule
    /// The wall clock `--max-time` and the progress line read; tests pass a scripted one.
    let now: () -> Date
    /// The eval rows evaluations during training use (`eval_max_rows`); nil for all of them.
    let evalSubset: [Int]?

    /// - Parameters:
    ///   - task: from the labels (or the arguments, which must agree).
    ///   - print: where the metrics tables and messages go (stdout in the CLI).
    ///   - clock: the current time (the system clock unless a test scripts it).
    public init(arguments: TrainingArguments, train: LabelledRows<Rows>, eval: LabelledRows<Rows>?, task: ProblemType, vocabSize: Int,
                padTokenId: Int32 = 0, quiet: Bool = false, print: @escaping (String) -> Void = { Swift.print($0) },
                clock: @escaping () -> Date = Date.init) throws {
        try arguments.validate()
        guard let outputDir = arguments.outputDir else { throw InputError("no output directory given", hint: "pass --out DIR") }
        try check(train.labels != nil, "the training data has no labels column", at: SourceLocation(path: train.source))
        try check(train.rowCount > 0, "the training data has no rows", at: SourceLocation(path: train.source))
        if case .classification = task {
            // One class leaves nothing to learn; a second class would be invented.
            let present = train.classesPresent
            try check(present.count >= 2, "classification needs at least 2 classes, but every training row has the label "
                      + (present.first.map { id in train.labelNames.flatMap { Int(id) < $0.count ? $0[Int(id)] : nil } ?? String(id) } ?? "?"),
                      at: SourceLocation(path: train.source))
        }
        if let eval {
            // An empty set would score 0 and be taken as the best checkpoint.
            guard eval.rowCount > 0 else {
                throw InputError("the evaluation data has no rows", at: SourceLocation(path: eval.source),
                                 hint: "pass --eval with rows, or leave --eval out to train without evaluation")
            }
            try check(eval.labels != nil, "the evaluation data has no labels column", at: SourceLocation(path: eval.source))
        }
        // Pairs encoded separately (pair_input_ids) train a bi-encoder.
        let biEncoder = train.pairInputIds != nil
        var scoreScale: Float?
        if biEncoder {
            guard case .values(let scores)? = train.labels else {
                throw InputError("a bi-encoder learns the cosine similarity of its pairs: it needs float scores, not class ids",
                                 at: SourceLocation(path: train.source), hint: "tokenize the pairs jointly to train a classifier on them")
            }
            // sentence-transformers' CosineSimilarityLoss wants scores in the cosine's range: STS's 0…5 become 0…1
            let scale = max(1, scores.map(\.magnitude).max() ?? 1)
            scoreScale = scale
            switch arguments.similarityLoss {
            case .cosine:
                print(String(format: "bi-encoder: mean-pooled embeddings, cosine similarity trained against score / %g (the largest training score)", scale))
            case .cosent:
                print(String(format: "bi-encoder: mean-pooled embeddings, cosine similarity trained with CoSENT on the scores' order; predictions are %g · cosine", scale))
            }
        }
        if arguments.similarityLoss != .cosine && !biEncoder {
            throw InputError("similarity_loss \(arguments.similarityLoss.rawValue) is a bi-encoder's loss, but the training rows are not pairs encoded separately",
                             at: SourceLocation(path: train.source), hint: "tokenize the pairs with --pair-encoding separate, or leave similarity_loss out")
        }
        if let eval {
            try check((eval.pairInputIds != nil) == biEncoder,
                      biEncoder ? "the training pairs are encoded separately (a bi-encoder), but the evaluation rows are not"
                                : "the evaluation pairs are encoded separately (pair_input_ids), but the training rows are not",
                      at: SourceLocation(path: eval.source))
        }
        self.arguments = arguments
        self.train = train
        self.eval = eval
        now = clock
        model = try ModelFiles.build(arguments, task: task, vocabSize: vocabSize, biEncoderScoreScale: scoreScale, log: print)
        optimizer = AdamW(parameters: model.parameters, configuration: AdamW.Configuration(
            beta1: arguments.adamBeta1, beta2: arguments.adamBeta2, epsilon: arguments.adamEpsilon, weightDecay: arguments.weightDecay))
        let maxLength = (model as? BertModel)?.configuration.maxSequenceLength ?? Int(Int32.max)
        collator = Collator(padTokenId: padTokenId, padToMultipleOf: arguments.padToMultipleOf, maxLength: maxLength)
        folders = CheckpointFolders(outputDir: outputDir)
        try OutputPolicy.prepareFolder(outputDir, kind: .trainingRun, flag: "--out")
        report = TrainingReport(outputDir: outputDir, quiet: quiet, print: print)
        let best = arguments.bestMetric(for: task)
        tracker = BestMetricTracker(name: best.name, greaterIsBetter: best.greaterIsBetter,
                                    threshold: arguments.earlyStoppingThreshold, patience: arguments.earlyStoppingPatience)
        let batchesPerEpoch = (train.rowCount + arguments.batchSize - 1) / arguments.batchSize
        stepsPerEpoch = max(batchesPerEpoch / arguments.gradientAccumulationSteps, 1)
        totalSteps = arguments.maxSteps > 0 ? arguments.maxSteps : Int((arguments.numTrainEpochs * Double(stepsPerEpoch)).rounded(.up))
        let warmup = arguments.warmupSteps > 0 ? arguments.warmupSteps : Schedule.warmupSteps(ratio: arguments.warmupRatio, totalSteps: totalSteps)
        schedule = Schedule(kind: arguments.lrSchedulerType, warmupSteps: warmup, totalSteps: totalSteps, cycles: arguments.lrSchedulerCycles)
        evalSubset = eval.flatMap { eval in
            arguments.evalMaxRows.flatMap { $0 < eval.rowCount ? Self.sample($0, of: eval.rowCount, seed: arguments.seed) : nil }
        }
        if let evalSubset, let eval {
            report.message("evaluating during training on a sample of \(evalSubset.count) of \(eval.rowCount) eval rows (eval_max_rows)")
        }
    }

    /// `count` distinct row indices of `0..<total`, in order, the same for the same seed.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        var rows = Array(0..<total), generator = SeededGenerator(seed: seed)
        for i in 0..<count { rows.swapAt(i, i + generator.below(total - i)) }
        return rows[0..<count].sorted()
    }

    public func run() throws -> Outcome {
        let start = now()
        var state = TrainerState()
        state.maxSteps = totalSteps
        state.numTrainEpochs = Double(totalSteps) / Double(stepsPerEpoch)
        state.trainBatchSize = arguments.batchSize
        state.seed = arguments.seed
        state.bestMetricName = "eval_" + tracker.name
        if let resume = arguments.resumeFromCheckpoint {
            let saved = try CheckpointFolders.resume(from: resume, model: model, optimizer: optimizer)
            try check(saved.seed == arguments.seed, "the checkpoint was trained with seed \(saved.seed), not \(arguments.seed)",
                      at: SourceLocation(path: resume))
            state.globalStep = saved.globalStep
            state.epoch = saved.epoch
            state.logHistory = saved.logHistory
            (state.bestMetric, state.bestGlobalStep, state.bestModelCheckpoint) = (saved.bestMetric, saved.bestGlobalStep, saved.bestModelCheckpoint)
            state.evaluationsWithoutImprovement = saved.evaluationsWithoutImprovement
            state.forwardCount = saved.forwardCount
            report.message("resuming from \(resume) at step \(saved.globalStep)")
        }
        let step = TrainingStep(baseLearningRate: arguments.learningRate, schedule: schedule, maxGradNorm: arguments.maxGradNorm)
        let lengths = train.lengths
        let deadline = arguments.maxTime.map { start.addingTimeInterval($0 * 60) }
        var timeBudget = arguments.maxTime.map {
            TimeBudgetSchedule(schedule: schedule, budget: $0 * 60, warmupShare: arguments.warmupSteps > 0 ? 0 : arguments.warmupRatio)
        }
        var window = (loss: 0.0, gradNorm: 0.0, steps: 0)
        var lastLearningRate = schedule.learningRate(base: arguments.learningRate, step: max(state.globalStep - 1, 0))
        var samples = 0, lastEvaluatedStep = -1, lastSavedStep = -1
        var stopReason = "completed"
        let sessionStartStep = state.globalStep

        training: while state.globalStep < totalSteps {
            let epochIndex = state.globalStep / stepsPerEpoch
            // Each epoch's order comes from (seed, epoch) alone, so a resumed run sees the same batches.
            let order = BatchOrder.lengthGrouped(lengths: lengths, batchSize: arguments.batchSize,
                                                 seed: arguments.seed &+ UInt64(epochIndex))
            var stepInEpoch = state.globalStep % stepsPerEpoch
            while stepInEpoch < stepsPerEpoch && state.globalStep < totalSteps {
                let accumulation = arguments.gradientAccumulationSteps
                let groups = order[(stepInEpoch * accumulation)..<min((stepInEpoch + 1) * accumulation, order.count)]
                let batches = try groups.map { try train.collate($0, collator: collator) }
                let multiplier = timeBudget?.multiplier(step: state.globalStep, elapsed: now().timeIntervalSince(start))
                let result = try step.run(model: model, microBatches: batches, optimizer: optimizer, multiplier: multiplier)
                lastLearningRate = result.learningRate
                guard result.loss.isFinite else {
                    throw InputError("the training loss became \(result.loss) at step \(state.globalStep + 1)",
                                     hint: "lower --learning-rate or set --max-grad-norm")
                }
                state.globalStep += 1
                stepInEpoch += 1
                state.epoch = Double(state.globalStep) / Double(stepsPerEpoch)
                samples += batches.reduce(0) { $0 + $1.size }
                window.loss += Double(result.loss)
                window.gradNorm += Double(result.gradNorm)
                window.steps += 1
                let elapsed = now().timeIntervalSince(start)
                report.progress(step: state.globalStep, totalSteps: totalSteps, epoch: state.epoch, loss: result.loss,
                                learningRate: result.learningRate, samplesPerSecond: Double(samples) / max(elapsed, 1e-9),
                                secondsLeft: elapsed / Double(state.globalStep - sessionStartStep) * Double(totalSteps - state.globalStep))
                if state.globalStep % arguments.loggingSteps == 0 {
                    try log(["loss": window.loss / Double(window.steps), "grad_norm": window.gradNorm / Double(window.steps),
                             "learning_rate": Double(result.learningRate)], state: &state)
                    window = (0, 0, 0)
                }
                let endOfEpoch = stepInEpoch == stepsPerEpoch
                let evaluateNow = (arguments.evalStrategy == .epoch && endOfEpoch)
                    || (arguments.evalStrategy == .steps && state.globalStep % arguments.evalSteps == 0)
                if evaluateNow {
                    let stop = try evaluateAndSave(state: &state)
                    (lastEvaluatedStep, lastSavedStep) = (state.globalStep, state.globalStep)
                    if stop { stopReason = "early stopping"; break training }
                } else if arguments.evalStrategy == .no && endOfEpoch {
                    try save(state: state)
                    lastSavedStep = state.globalStep
                }
                if let deadline, now() >= deadline { stopReason = "max_time"; break training }
            }
        }
        report.endProgressLine()
        if window.steps > 0 {
            try log(["loss": window.loss / Double(window.steps), "grad_norm": window.gradNorm / Double(window.steps),
                     "learning_rate": Double(lastLearningRate)],
                    state: &state)
        }
        // The last step always ends in a checkpoint, evaluated when evaluations are on.
        if arguments.evalStrategy != .no && lastEvaluatedStep != state.globalStep && state.globalStep > sessionStartStep {
            _ = try evaluateAndSave(state: &state)
        } else if lastSavedStep != state.globalStep && state.globalStep > sessionStartStep {
            try save(state: state)
        }
        let seconds = now().timeIntervalSince(start)
        let speed = Double(samples) / max(seconds, 1e-9)
        try writePlots(state)
        report.message(String(format: "%@ at step %d after %.1f s (%.0f train samples/s)", stopReason, state.globalStep, seconds, speed)
                       + (state.bestMetric.map { String(format: "; best eval_%@ %.4f at %@", tracker.name, $0, state.bestModelCheckpoint ?? "-") } ?? ""))
        return Outcome(state: state, stopReason: stopReason, seconds: seconds, samplesPerSecond: speed)
    }

    /// Evaluates on the eval split, logs, tracks the best, saves a checkpoint, applies retention.
    /// Returns whether early stopping says to stop.
    private func evaluateAndSave(state: inout TrainerState) throws -> Bool {
        guard let eval else {
            try save(state: state)
            return false
        }
        let metrics = try evaluate(model: model, rows: eval, batchSize: arguments.evalBatchSize, collator: collator, subset: evalSubset)
        let checkpoint = folders.path(step: state.globalStep)
        let isBest = tracker.observe(metrics[tracker.name], step: state.globalStep, checkpoint: checkpoint, state: &state)
        try log(Dictionary(uniqueKeysWithValues: metrics.map { ("eval_" + $0.key, $0.value) }), state: &state)
        report.table(step: state.globalStep, epoch: state.epoch, metrics: metrics, best: (tracker.name, isBest))
        try save(state: state)
        let deleted = try folders.applyRetention(keepLast: arguments.saveTotalLimit, bestStep: state.bestGlobalStep)
        if !deleted.isEmpty { report.message("deleted " + deleted.map { CheckpointFolders.prefix + String($0) }.joined(separator: ", ")) }
        return tracker.shouldStop(state)
    }

    private func save(state: TrainerState) throws {
        var state = state
        state.forwardCount = (model as? BertModel)?.forwardCount ?? 0
        try folders.save(step: state.globalStep, model: model, optimizer: optimizer, state: state, arguments: arguments,
                         labelNames: train.labelNames, tokenizer: arguments.tokenizer)
        try AtomicOutput.writeFile(try state.jsonData(), to: folders.outputDir + "/" + TrainerState.fileName)
    }

    private func log(_ values: [String: Double], state: inout TrainerState) throws {
        var entry = values
        entry["step"] = Double(state.globalStep)
        entry["epoch"] = state.epoch
        state.logHistory.append(entry)
        try report.record(entry)
    }

    private func writePlots(_ state: TrainerState) throws {
        func series(_ key: String, _ name: String, _ color: String) -> CurvePlot.Series {
            CurvePlot.Series(name: name, color: color, points: state.logHistory.compactMap { entry in
                guard let step = entry["step"], let value = entry[key] else { return nil }
                return (step, value)
            })
        }
        let loss = CurvePlot.svg(title: "loss", xLabel: "step",
                                 series: [series("loss", "train loss", "#1f77b4"), series("eval_loss", "eval loss", "#d62728")])
        try AtomicOutput.writeFile(Data(loss.utf8), to: folders.outputDir + "/loss.svg")
        let metric = CurvePlot.svg(title: "eval_" + tracker.name, xLabel: "step",
                                   series: [series("eval_" + tracker.name, "eval_" + tracker.name, "#2ca02c")])
        try AtomicOutput.writeFile(Data(metric.utf8), to: folders.outputDir + "/metric.svg")
    }
}

/// Streaming evaluation of `model` on labelled rows (length-sorted batches; no logits kept), or on
/// the rows in `subset` only.
public func evaluate<Rows: TokenRows>(model: Model, rows: LabelledRows<Rows>, batchSize: Int, collator: Collator,
                                      subset: [Int]? = nil) throws -> [String: Double] {
    try check(rows.labels != nil, "the evaluation data has no labels column", at: SourceLocation(path: rows.source))
    let batches = rows.batches(rows.lengthSortedBatches(batchSize: batchSize, rows: subset), collator: collator)
    let metrics = try Evaluation.run(model: model, batches: batches)
    try batches.checkFailure()
    return metrics
}
