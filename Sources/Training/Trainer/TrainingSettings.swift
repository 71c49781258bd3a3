import DSPrepSupport
import Foundation

/// The table of training settings: every name `dsprep train` reads, in config files and as
/// flags, and the order `training_args.json` and `dsprep train --help` list them in.
extension TrainingArguments {
    public static let settings: [TrainingSetting] = [
        // Data and output
        TrainingSetting("train", \.train, .data, aliases: ["train_data", "train_file"],
                        help: "Training shards (a split folder, or a split collection: its train split is used)."),
        TrainingSetting("eval", \.eval, .data, aliases: ["eval_data", "validation", "validation_file"],
                        help: "Evaluation shards (a split folder, or a collection: its validation, dev or test split)."),
        TrainingSetting("tokenizer", \.tokenizer, .data,
                        help: "The tokenizer that made the shards: copied into checkpoints, sets the vocabulary size and pad id (default: a fine-tuned folder's own)."),
        TrainingSetting("output_dir", \.outputDir, .data, flag: "out",
                        help: "Where checkpoints and logs go: a new or empty folder, or an earlier run's, which this run writes into."),
        TrainingSetting("resume_from_checkpoint", \.resumeFromCheckpoint, .data,
                        help: "Continue from this checkpoint folder (weights, optimizer, schedule, step)."),

        // Model
        modelSetting,
        TrainingSetting("model_name_or_path", \.modelNameOrPath, .model, help: "An HF model folder to fine-tune (as --model DIR)."),
        TrainingSetting("task", \.task, .model, aliases: ["problem_type"], help: "What the head predicts (default: from the labels: class ids or float scores)."),
        TrainingSetting("vocab_size", \.vocabSize, .model, rule: .atLeast(1),
                        help: "Model vocabulary (default: the tokenizer's, else the largest id in the data + 1)."),
        TrainingSetting("num_hidden_layers", \.numHiddenLayers, .model, flag: "layers", aliases: ["layers"], rule: .atLeast(1),
                        help: "Transformer layers."),
        TrainingSetting("hidden_size", \.hiddenSize, .model, flag: "hidden", aliases: ["hidden"], rule: .atLeast(1),
                        help: "Transformer hidden size."),
        TrainingSetting("num_attention_heads", \.numAttentionHeads, .model, flag: "heads", aliases: ["heads"], rule: .atLeast(1),
                        help: "Transformer attention heads."),
        TrainingSetting("intermediate_size", \.intermediateSize, .model, flag: "ffn", aliases: ["ffn"], rule: .atLeast(1),
                        help: "Transformer feed-forward size."),
        TrainingSetting("max_position_embeddings", \.maxPositionEmbeddings, .model, aliases: ["max_length"], rule: .atLeast(1),
                        help: "Transformer positions: longer rows are cut."),
        dropoutSetting,
        TrainingSetting("hidden_dropout_prob", \.hiddenDropoutProb, .model,
                        help: "Transformer dropout on embeddings and layer outputs (default: 0.1, or a fine-tuned folder's own)."),
        TrainingSetting("attention_probs_dropout_prob", \.attentionProbsDropoutProb, .model, aliases: ["attention_dropout"],
                        help: "Transformer dropout on attention probabilities (default: 0.1, or a fine-tuned folder's own)."),
        TrainingSetting("freeze_embeddings", \.freezeEmbeddings, .model, aliases: ["freeze_word_embeddings"],
                        help: "Word embeddings get no gradient and no AdamW state (less memory, faster steps; Transformer models)."),
        TrainingSetting("similarity_loss", \.similarityLoss, .model,
                        help: "A bi-encoder's loss (pairs tokenized with --pair-encoding separate): cosine (CosineSimilarityLoss, MSE to score / scale) or cosent (CoSENTLoss, the scores' order)."),
        TrainingSetting("bag_dimension", \.bagDimension, .model, flag: "dimension", aliases: ["dimension", "dim"], rule: .atLeast(1),
                        help: "Bag model embedding size."),
        TrainingSetting("bigram_buckets", \.bigramBuckets, .model, aliases: ["bucket"], rule: .atLeast(0),
                        help: "Bag model hash buckets for id bigrams (0: no bigrams)."),

        // Training loop
        TrainingSetting("num_train_epochs", \.numTrainEpochs, .loop, flag: "epochs", aliases: ["epochs"], rule: .atLeast(0), help: "Epochs."),
        TrainingSetting("max_steps", \.maxSteps, .loop, help: "Optimizer steps; overrides --epochs when above 0."),
        TrainingSetting("batch_size", \.batchSize, .loop, hf: "per_device_train_batch_size", aliases: ["train_batch_size"], rule: .atLeast(1),
                        help: "Rows per batch."),
        TrainingSetting("eval_batch_size", \.evalBatchSize, .loop, hf: "per_device_eval_batch_size", rule: .atLeast(1),
                        help: "Rows per evaluation batch."),
        TrainingSetting("gradient_accumulation_steps", \.gradientAccumulationSteps, .loop, aliases: ["grad_accum"], rule: .atLeast(1),
                        help: "Batches per optimizer step."),
        TrainingSetting("pad_to_multiple_of", \.padToMultipleOf, .loop, rule: .atLeast(1), help: "Pad batches to a multiple of this."),
        TrainingSetting("seed", \.seed, .loop, help: "Seed of initialization, batch order and dropout."),
        TrainingSetting("max_time", \.maxTime, .loop, rule: .positive,
                        help: "Stop cleanly (evaluate, save) after this many minutes; a decaying schedule decays over them."),

        // Optimizer and schedule
        TrainingSetting("learning_rate", \.learningRate, .optimizer, aliases: ["lr"], rule: .positive, help: "Peak learning rate."),
        TrainingSetting("weight_decay", \.weightDecay, .optimizer, rule: .atLeast(0),
                        help: "AdamW weight decay (not on biases and LayerNorm weights)."),
        TrainingSetting("adam_beta1", \.adamBeta1, .optimizer, rule: .fraction, help: "AdamW beta1."),
        TrainingSetting("adam_beta2", \.adamBeta2, .optimizer, rule: .fraction, help: "AdamW beta2."),
        TrainingSetting("adam_epsilon", \.adamEpsilon, .optimizer, rule: .positive, help: "AdamW epsilon."),
        TrainingSetting("max_grad_norm", \.maxGradNorm, .optimizer, rule: .atLeast(0), help: "Clip gradients to this global norm (0: no clipping)."),
        TrainingSetting("lr_scheduler_type", \.lrSchedulerType, .optimizer, flag: "schedule", aliases: ["schedule", "scheduler"],
                        help: "Learning-rate schedule after warmup."),
        TrainingSetting("lr_scheduler_cycles", \.lrSchedulerCycles, .optimizer, flag: "num-cycles",
                        hf: "lr_scheduler_kwargs.num_cycles", aliases: ["num_cycles"], rule: .positive,
                        help: "Cosine cycles (default: 0.5 for cosine, 1 for cosine_with_restarts)."),
        warmupStepsSetting,
        TrainingSetting("warmup_ratio", \.warmupRatio, .optimizer, rule: .fraction, help: "Warmup as a fraction of the steps."),

        // Evaluation and checkpoints
        TrainingSetting("eval_strategy", \.evalStrategy, .evaluation, aliases: ["evaluation_strategy"], help: "When to evaluate."),
        TrainingSetting("eval_steps", \.evalSteps, .evaluation, help: "Evaluate every this many steps with --eval-strategy steps."),
        TrainingSetting("eval_max_rows", \.evalMaxRows, .evaluation, rule: .atLeast(1),
                        help: "Evaluate during training on a seeded sample of this many eval rows (default: all)."),
        TrainingSetting("logging_steps", \.loggingSteps, .evaluation, rule: .atLeast(1), help: "Log the mean loss every this many steps."),
        TrainingSetting("metric_for_best_model", \.metricForBestModel, .evaluation, flag: "metric", aliases: ["metric"],
                        parse: { $0.hasPrefix("eval_") ? String($0.dropFirst(5)) : $0 },
                        help: "Metric of the best checkpoint and early stopping (default: accuracy, or pearson for regression)."),
        TrainingSetting("greater_is_better", \.greaterIsBetter, .evaluation,
                        help: "Whether a higher metric is better (default: false for loss, mse and mae, else true)."),
        TrainingSetting("early_stopping_patience", \.earlyStoppingPatience, .evaluation, aliases: ["patience"], rule: .atLeast(1),
                        help: "Stop after this many evaluations without improvement (default: never)."),
        TrainingSetting("early_stopping_threshold", \.earlyStoppingThreshold, .evaluation, rule: .atLeast(0),
                        help: "The least change of the metric that counts as an improvement."),
        TrainingSetting("save_total_limit", \.saveTotalLimit, .evaluation, rule: .atLeast(1),
                        help: "Keep the best checkpoint plus the last N (default: keep all)."),
        TrainingSetting("save_only_model", \.saveOnlyModel, .evaluation,
                        help: "Checkpoints without optimizer state (a third of the size when fine-tuning), which training cannot resume from."),
    ]

    /// `--model`: a from-scratch model by name, or an HF model folder to fine-tune.
    private static let modelSetting = TrainingSetting(
        key: "model", flag: "model", hfName: nil, aliases: ["model_type"], section: .model,
        help: "bag (fastText-like) or transformer (BERT encoder) from scratch, or an HF model folder to fine-tune; picks the defaults.",
        isSwitch: false, choices: nil,
        assign: { arguments, text, name, location in
            if let kind = ModelKind(rawValue: text.lowercased()) {
                arguments.model = kind
                return
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) else {
                throw InputError("\(name) expects bag, transformer or an HF model folder (config.json + model.safetensors), got \"\(text)\"",
                                 at: location)
            }
            try check(isDirectory.boolValue, "\(name) takes bag, transformer or an HF model folder, not a file", at: location)
            arguments.modelNameOrPath = text
        },
        record: { .string($0.model.rawValue) }, violation: { _ in nil })

    /// `--dropout`: both Transformer dropouts at once.
    private static let dropoutSetting = TrainingSetting(
        key: "dropout", flag: "dropout", hfName: nil, aliases: [], section: .model,
        help: "Both Transformer dropouts (hidden_dropout_prob and attention_probs_dropout_prob).", isSwitch: false, choices: nil,
        assign: { arguments, text, name, location in
            for key in ["hidden_dropout_prob", "attention_probs_dropout_prob"] {
                try setting(named: key)?.assign(&arguments, text, name, location)
            }
        },
        record: { _ in nil }, violation: { _ in nil })

    /// `warmup_steps`: transformers 5 reads a value below 1 as a ratio of the steps.
    private static let warmupStepsSetting = TrainingSetting(
        key: "warmup_steps", flag: "warmup-steps", hfName: nil, aliases: [], section: .optimizer,
        help: "Warmup steps (a value below 1 is a ratio of the steps, as transformers 5 reads it).", isSwitch: false, choices: nil,
        assign: { arguments, text, name, location in
            if let ratio = Double(text), ratio > 0, ratio < 1 {
                arguments.warmupRatio = ratio
                return
            }
            guard let steps = Int.parse(text), steps >= 0 else {
                throw InputError("\(name) expects a whole number of at least 0 (or a ratio below 1), got \"\(text)\"", at: location)
            }
            arguments.warmupSteps = steps
        },
        record: { $0.warmupSteps.json },
        violation: { $0.warmupSteps < 0 ? "warmup_steps must not be negative, got \($0.warmupSteps)" : nil })

    private static let settingsByName: [String: TrainingSetting] = {
        var byName: [String: TrainingSetting] = [:]
        for setting in settings {
            for name in setting.names {
                precondition(byName[name] == nil || byName[name]?.key == setting.key, "two settings are named \(name)")
                byName[name] = setting
            }
        }
        return byName
    }()

    /// The setting any of whose names is `name` (with underscores).
    public static func setting(named name: String) -> TrainingSetting? { settingsByName[name] }
}

/// The defaults a run starts from: `TrainingArguments()` holds fine-tuning's (HF's), the models
/// trained from scratch have recipes of their own, and the config file and flags override them.
extension TrainingArguments {
    public enum Recipe: String, Sendable, CaseIterable {
        case bag
        case transformer
        case fineTuning = "fine-tuning"
    }

    /// The recipe the settings pick: a model folder is fine-tuned, else the `model` kind.
    public var recipe: Recipe {
        if modelNameOrPath != nil { return .fineTuning }
        switch model {
        case .bag: return .bag
        case .transformer: return .transformer
        }
    }

    /// The defaults of `recipe` (the model setting itself, which picks the recipe, is left as is).
    public init(recipe: Recipe) {
        self.init()
        switch recipe {
        case .bag:
            // tools/recipes/train-nsmc-bag.yaml: 86.3% on NSMC in 150 s (HF's 5e-5 reaches 82.0% in 5.5 minutes).
            bagDimension = 64
            learningRate = 5e-3
            warmupRatio = 0.02
            maxGradNorm = 0
            numTrainEpochs = 2
            batchSize = 128
            evalBatchSize = 512
            loggingSteps = 100
        case .transformer:
            // tools/recipes/train-nsmc-transformer.yaml (1e-3 did not learn; 3e-4 with 10% warmup did).
            learningRate = 3e-4
            weightDecay = 0.01
            warmupRatio = 0.1
            evalBatchSize = 256
            loggingSteps = 100
        case .fineTuning:
            break
        }
    }

    /// The settings `entries` give (config entries, then flags), over the defaults of the recipe
    /// they pick; with the warnings for HF keys that change nothing here.
    public static func resolving(_ entries: [ConfigFile.Entry]) throws -> (arguments: TrainingArguments, warnings: [String]) {
        var probe = TrainingArguments()
        for entry in entries { try probe.set(entry.key, entry.value, at: entry.location) }
        var arguments = TrainingArguments(recipe: probe.recipe)
        var warnings: [String] = []
        for entry in entries {
            if let warning = try arguments.set(entry.key, entry.value, at: entry.location) { warnings.append(warning) }
        }
        return (arguments, warnings)
    }

    /// Refuses a setting among `entries` that shapes a model from scratch when it differs from the
    /// fine-tuned folder's config.json, which decides the shape: it would change nothing, silently.
    public static func checkShapeSettings(_ entries: [ConfigFile.Entry], fit configuration: BertConfiguration, folder: String) throws {
        let folderValues = ["vocab_size": configuration.vocabSize, "num_hidden_layers": configuration.numHiddenLayers,
                            "hidden_size": configuration.hiddenSize, "num_attention_heads": configuration.numAttentionHeads,
                            "intermediate_size": configuration.intermediateSize,
                            "max_position_embeddings": configuration.maxPositionEmbeddings]
        for entry in entries {
            guard let key = setting(named: entry.key)?.key,  // entry keys come with underscores
                  let folderValue = folderValues[key], Int(entry.value) != folderValue else { continue }
            throw InputError("\(key) \(entry.value) does not fit the model being fine-tuned, whose \(folder)/config.json has \(key) \(folderValue)",
                             at: entry.location, hint: "remove the setting (a fine-tuned model keeps its shape), or train from scratch with --model transformer")
        }
    }
}
