import DSPrepSupport
import Foundation

/// Everything a training run is configured by, under the HF `TrainingArguments` names where HF
/// has one. Each field is a setting of the table `TrainingArguments.settings` (its names, type,
/// rule and help); a YAML or JSON config and the command-line flags both set them through
/// `set(_:_:at:)`, flags last. The values here are the defaults of fine-tuning (HF's);
/// `init(recipe:)` gives those of the from-scratch models.
public struct TrainingArguments: Sendable, Equatable {
    public enum ModelKind: String, Sendable, CaseIterable { case bag, transformer }
    public enum TaskKind: String, Sendable, CaseIterable { case classification, regression }
    public enum EvalStrategy: String, Sendable, CaseIterable { case epoch, steps, no }

    // Data and output
    public var train: String?
    public var eval: String?
    /// A tokenizer file copied into each checkpoint (so `evaluate`/`predict` know what made the ids).
    public var tokenizer: String?
    public var outputDir: String?
    /// Inferred from the shards' `labels` feature when nil.
    public var task: TaskKind?
    public var model: ModelKind = .bag
    /// An HF model folder (config.json + weights) to fine-tune instead of a from-scratch model.
    public var modelNameOrPath: String?

    // Loop
    public var numTrainEpochs: Double = 3
    /// > 0 overrides the epochs.
    public var maxSteps = -1
    public var batchSize = 32
    public var evalBatchSize = 64
    public var gradientAccumulationSteps = 1
    public var seed: UInt64 = SeededGenerator.defaultSeed
    /// Minutes; the run stops cleanly (evaluates and saves) once this has passed, and a decaying
    /// schedule decays over this budget (`TimeBudgetSchedule`).
    public var maxTime: Double?
    public var padToMultipleOf: Int?

    // Optimizer and schedule
    public var learningRate: Float = 5e-5
    public var weightDecay: Float = 0
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    public var maxGradNorm: Float = 1
    public var lrSchedulerType: Schedule.Kind = .linear
    public var warmupSteps = 0
    public var warmupRatio: Double = 0
    /// Cosine cycles (HF `lr_scheduler_kwargs: {num_cycles: N}`); nil: 0.5 for cosine, 1 with restarts.
    public var lrSchedulerCycles: Double?

    // Transformer
    public var numHiddenLayers = 4
    public var hiddenSize = 256
    public var numAttentionHeads = 4
    public var intermediateSize = 1024
    public var maxPositionEmbeddings = 512
    /// nil: 0.1 from scratch; a fine-tuned folder's own config (as `from_pretrained` keeps it unless told).
    public var hiddenDropoutProb: Float?
    public var attentionProbsDropoutProb: Float?
    /// Word embeddings get no gradient and no optimizer state (Transformer models).
    public var freezeEmbeddings = false
    /// A bi-encoder's loss.
    public var similarityLoss: BertConfiguration.SimilarityLoss = .cosine
    /// Model vocabulary; nil takes the tokenizer's size, else the largest id in the data + 1.
    public var vocabSize: Int?

    // Bag model
    public var bagDimension = 100
    public var bigramBuckets = 200_000

    // Evaluation, logging, checkpoints
    /// Evaluations during training use this many eval rows (a seeded sample, the same each time).
    public var evalMaxRows: Int?
    public var evalStrategy: EvalStrategy = .epoch
    public var evalSteps = 500
    public var loggingSteps = 50
    /// nil: accuracy for classification, pearson for regression.
    public var metricForBestModel: String?
    /// nil: false for names ending in "loss" or for mse/mae, else true.
    public var greaterIsBetter: Bool?
    /// Evaluations without improvement before stopping; nil never stops early.
    public var earlyStoppingPatience: Int?
    public var earlyStoppingThreshold: Double = 0
    /// Keep the best checkpoint plus the last N; nil keeps all.
    public var saveTotalLimit: Int?
    /// Checkpoints without optimizer state; training cannot resume from them.
    public var saveOnlyModel = false
    public var resumeFromCheckpoint: String?

    public init() {}

    /// Sets the setting named `rawKey` (any of its names; dashes read as underscores) from its
    /// text form. Returns a warning for an HF `TrainingArguments` key that changes nothing here.
    @discardableResult
    public mutating func set(_ rawKey: String, _ value: String, at location: SourceLocation? = nil) throws -> String? {
        let name = rawKey.replacingOccurrences(of: "-", with: "_")
        guard let setting = Self.setting(named: name) else { return try Self.hfSetting(name, value, at: location) }
        try setting.assign(&self, value, name, location)
        return nil
    }

    /// Checks every setting's rule, then the combinations that no single setting can.
    public func validate() throws {
        for setting in Self.settings {
            if let violation = setting.violation(self) { throw InputError(violation) }
        }
        try check(maxSteps > 0 || numTrainEpochs > 0, "set num_train_epochs or max_steps above 0")
        try check(evalStrategy != .steps || evalSteps >= 1, "eval_steps must be at least 1 with eval_strategy steps")
        try check(earlyStoppingPatience == nil || evalStrategy != .no, "early stopping needs evaluations (eval_strategy epoch or steps)")
        try check(!freezeEmbeddings || recipe != .bag,
                  "freeze_embeddings needs a Transformer (--model transformer or a pretrained folder), not the bag model")
    }

    /// The settings as `training_args.json` records them, in the table's order.
    public var record: JSONValue {
        let unused = modelNameOrPath == nil ? [] : Self.fromScratchKeys
        return .object(Self.settings.compactMap { setting in
            unused.contains(setting.key) ? nil : setting.record(self).map { (setting.key, $0) }
        })
    }

    /// Settings of a model built from scratch. A fine-tune's record leaves them out: its model is
    /// the folder's, whose shape the checkpoint's config.json holds.
    static let fromScratchKeys: Set<String> = ["model", "vocab_size", "num_hidden_layers", "hidden_size", "num_attention_heads",
                                               "intermediate_size", "max_position_embeddings", "bag_dimension", "bigram_buckets"]

    /// The metric that decides the best checkpoint and early stopping, without `eval_`.
    public func bestMetric(for task: ProblemType) -> (name: String, greaterIsBetter: Bool) {
        let name = metricForBestModel ?? (task == .regression ? "pearson" : "accuracy")
        let lowerIsBetter = name.hasSuffix("loss") || name == "mse" || name == "mae"
        return (name, greaterIsBetter ?? !lowerIsBetter)
    }
}
