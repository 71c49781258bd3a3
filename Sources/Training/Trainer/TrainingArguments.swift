import DSPrepSupport
import Foundation

/// Everything a training run is configured by, under the HF `TrainingArguments` names where HF
/// has one. A YAML config and the command-line flags both set these through `set(_:_:at:)`, so
/// the two spell keys the same way and are checked by one parser; flags are applied last.
public struct TrainingArguments: Sendable, Equatable, Codable {
    public enum ModelKind: String, Sendable, Codable, CaseIterable { case bag, transformer }
    public enum TaskKind: String, Sendable, Codable, CaseIterable { case classification, regression }
    public enum EvalStrategy: String, Sendable, Codable, CaseIterable { case epoch, steps, no }

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
    public var seed: UInt64 = 42
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
    public var hiddenDropoutProb: Float = 0.1
    public var attentionProbsDropoutProb: Float = 0.1
    /// Word embeddings get no gradient and no optimizer state (Transformer models).
    public var freezeEmbeddings = false
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
    public var resumeFromCheckpoint: String?

    public init() {}

    /// Sets one key (snake_case; dashes read as underscores) from its text form. Returns a warning
    /// for an HF `TrainingArguments` key that dsprep reads but that changes nothing here.
    @discardableResult
    public mutating func set(_ rawKey: String, _ value: String, at location: SourceLocation? = nil) throws -> String? {
        let key = rawKey.replacingOccurrences(of: "-", with: "_")
        func number<T: LosslessStringConvertible>(_: T.Type) throws -> T {
            if let parsed = T(value) { return parsed }
            throw InputError("\(key) expects a number, got \"\(value)\"", at: location)
        }
        // YAML configs write counts as 1e4 too; a whole Double is accepted where an Int is wanted.
        func number(_: Int.Type) throws -> Int {
            if let parsed = Int(value) { return parsed }
            if let double = Double(value), double == double.rounded(), abs(double) < 1e15 { return Int(double) }
            throw InputError("\(key) expects a whole number, got \"\(value)\"", at: location)
        }
        func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
            if let parsed = T(rawValue: value.lowercased()) { return parsed }
            throw InputError("\(key) expects one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(value)\"", at: location)
        }
        func flag() throws -> Bool {
            switch value.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw InputError("\(key) expects true or false, got \"\(value)\"", at: location)
            }
        }
        func optionalNumber(_ parse: () throws -> Int) throws -> Int? {
            ["null", "none", "~", ""].contains(value.lowercased()) ? nil : try parse()
        }
        switch key {
        case "train", "train_data", "train_file": train = value
        case "eval", "eval_data", "validation", "validation_file": eval = value
        case "tokenizer": tokenizer = value
        case "output_dir": outputDir = value
        case "task", "problem_type": task = try choice(TaskKind.self)
        case "model", "model_type":
            // `--model DIR` names a pretrained folder; the words pick a from-scratch model.
            var isDirectory: ObjCBool = false
            if ModelKind(rawValue: value.lowercased()) == nil, FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory) {
                try check(isDirectory.boolValue, "\(key) takes bag, transformer or an HF model folder, not a file", at: location)
                modelNameOrPath = value
            } else if let kind = ModelKind(rawValue: value.lowercased()) {
                model = kind
            } else {
                throw InputError("\(key) expects bag, transformer or an HF model folder (config.json + model.safetensors), got \"\(value)\"",
                                 at: location)
            }
        case "model_name_or_path": modelNameOrPath = value
        case "epochs", "num_train_epochs": numTrainEpochs = try number(Double.self)
        case "max_steps": maxSteps = try number(Int.self)
        case "batch_size", "per_device_train_batch_size", "train_batch_size": batchSize = try number(Int.self)
        case "eval_batch_size", "per_device_eval_batch_size": evalBatchSize = try number(Int.self)
        case "gradient_accumulation_steps", "grad_accum": gradientAccumulationSteps = try number(Int.self)
        case "seed": seed = try number(UInt64.self)
        case "max_time": maxTime = try number(Double.self)
        case "eval_max_rows": evalMaxRows = try optionalNumber { try number(Int.self) }
        case "pad_to_multiple_of": padToMultipleOf = try optionalNumber { try number(Int.self) }
        case "learning_rate", "lr": learningRate = try number(Float.self)
        case "weight_decay": weightDecay = try number(Float.self)
        case "adam_beta1": adamBeta1 = try number(Float.self)
        case "adam_beta2": adamBeta2 = try number(Float.self)
        case "adam_epsilon": adamEpsilon = try number(Float.self)
        case "max_grad_norm": maxGradNorm = try number(Float.self)
        case "lr_scheduler_type", "schedule", "scheduler": lrSchedulerType = try choice(Schedule.Kind.self)
        case "num_cycles", "lr_scheduler_kwargs.num_cycles": lrSchedulerCycles = try number(Double.self)
        case "warmup_steps":
            // transformers 5 takes a warmup ratio as a warmup_steps below 1.
            if let ratio = Double(value), ratio > 0, ratio < 1 { warmupRatio = ratio } else { warmupSteps = try number(Int.self) }
        case "warmup_ratio": warmupRatio = try number(Double.self)
        case "num_hidden_layers", "layers": numHiddenLayers = try number(Int.self)
        case "hidden_size", "hidden": hiddenSize = try number(Int.self)
        case "num_attention_heads", "heads": numAttentionHeads = try number(Int.self)
        case "intermediate_size", "ffn": intermediateSize = try number(Int.self)
        case "max_position_embeddings", "max_length": maxPositionEmbeddings = try number(Int.self)
        case "hidden_dropout_prob", "dropout": hiddenDropoutProb = try number(Float.self)
        case "attention_probs_dropout_prob", "attention_dropout": attentionProbsDropoutProb = try number(Float.self)
        case "freeze_embeddings", "freeze_word_embeddings": freezeEmbeddings = try flag()
        case "vocab_size": vocabSize = try optionalNumber { try number(Int.self) }
        case "bag_dimension", "dimension", "dim": bagDimension = try number(Int.self)
        case "bigram_buckets", "bucket": bigramBuckets = try number(Int.self)
        case "eval_strategy", "evaluation_strategy": evalStrategy = try choice(EvalStrategy.self)
        case "eval_steps": evalSteps = try number(Int.self)
        case "logging_steps": loggingSteps = try number(Int.self)
        case "metric_for_best_model", "metric": metricForBestModel = value.hasPrefix("eval_") ? String(value.dropFirst(5)) : value
        case "greater_is_better": greaterIsBetter = try flag()
        case "early_stopping_patience", "patience": earlyStoppingPatience = try optionalNumber { try number(Int.self) }
        case "early_stopping_threshold": earlyStoppingThreshold = try number(Double.self)
        case "save_total_limit": saveTotalLimit = try optionalNumber { try number(Int.self) }
        case "resume_from_checkpoint": resumeFromCheckpoint = value
        default:
            return try Self.hfSetting(key, value, at: location)
        }
        return nil
    }

    /// Checks ranges and combinations that no single key can.
    public func validate() throws {
        try check(batchSize >= 1 && evalBatchSize >= 1, "batch sizes must be at least 1")
        try check(gradientAccumulationSteps >= 1, "gradient_accumulation_steps must be at least 1")
        try check(maxSteps > 0 || numTrainEpochs > 0, "set num_train_epochs or max_steps above 0")
        try check(learningRate > 0 && learningRate.isFinite, "learning_rate must be positive")
        try check(warmupRatio >= 0 && warmupRatio < 1, "warmup_ratio must be in [0, 1)")
        try check(warmupSteps >= 0, "warmup_steps must not be negative")
        try check(evalStrategy != .steps || evalSteps >= 1, "eval_steps must be at least 1 with eval_strategy steps")
        try check(loggingSteps >= 1, "logging_steps must be at least 1")
        try check(saveTotalLimit.map { $0 >= 1 } ?? true, "save_total_limit must be at least 1 (the best is kept in addition)")
        try check(earlyStoppingPatience.map { $0 >= 1 } ?? true, "early_stopping_patience must be at least 1")
        try check(earlyStoppingPatience == nil || evalStrategy != .no, "early stopping needs evaluations (eval_strategy epoch or steps)")
        try check(maxTime.map { $0 > 0 } ?? true, "max_time must be positive (minutes)")
        try check(lrSchedulerCycles.map { $0 > 0 && $0.isFinite } ?? true, "num_cycles must be positive")
        try check(evalMaxRows.map { $0 >= 1 } ?? true, "eval_max_rows must be at least 1")
        try check(bagDimension >= 1 && bigramBuckets >= 0, "bag_dimension must be at least 1 and bigram_buckets not negative")
        for (name, value) in [("num_hidden_layers", numHiddenLayers), ("hidden_size", hiddenSize), ("num_attention_heads", numAttentionHeads),
                              ("intermediate_size", intermediateSize), ("max_position_embeddings", maxPositionEmbeddings)] {
            try check(value >= 1, "\(name) must be at least 1")
        }
        try check(vocabSize.map { $0 >= 1 } ?? true, "vocab_size must be at least 1")
        try check(!freezeEmbeddings || model == .transformer || modelNameOrPath != nil,
                  "freeze_embeddings needs a Transformer (--model transformer or a pretrained folder), not the bag model")
    }

    /// The metric that decides the best checkpoint and early stopping, without `eval_`.
    public func bestMetric(for task: Task) -> (name: String, greaterIsBetter: Bool) {
        let name = metricForBestModel ?? (task == .regression ? "pearson" : "accuracy")
        let lowerIsBetter = name.hasSuffix("loss") || name == "mse" || name == "mae"
        return (name, greaterIsBetter ?? !lowerIsBetter)
    }
}
