import ArgumentParser
import DSPrepSupport
import Foundation
import Tokenizers
import Training
import TrainingData

/// `dsprep train`: a bag-of-ngrams or BERT-style model trained from scratch on token shards, or
/// a pretrained HF model folder (BERT, RoBERTa, XLM-R, ELECTRA) fine-tuned on them.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train or fine-tune a classifier or regressor on token shards written by `dsprep tokenize`.",
        discussion: """
            Settings come from --config train.yaml (keys are the flag names with underscores, or HF
            TrainingArguments names such as learning_rate, num_train_epochs, per_device_train_batch_size,
            optionally grouped under sections), then from the flags, which override the file.
            The task and the number of classes come from the shards' labels (ClassLabel or integers →
            classification, floats → regression). --model DIR (or model_name_or_path) fine-tunes an HF
            model folder (config.json + model.safetensors; its tokenizer files are copied into every
            checkpoint, which transformers' from_pretrained loads); the shards must come from the
            folder's tokenizer (`dsprep tokenize --tokenizer DIR`). Writes output-dir/checkpoint-{step}/ (model.safetensors,
            config.json, optimizer.safetensors, trainer_state.json, training_args.json, the tokenizer),
            metrics.jsonl, loss.svg and metric.svg; keeps the best checkpoint plus the last
            --save-total-limit.
            """)

    @Option(help: "A YAML file of settings; flags override it.")
    var config: String?

    @Option(help: "Training shards (a split folder, or a split collection: its train split is used).")
    var train: String?
    @Option(help: "Evaluation shards (a split folder, or a collection: validation, dev or test split).")
    var eval: String?
    @Option(help: "The tokenizer that made the shards: copied into checkpoints, sets the vocabulary size and pad id.")
    var tokenizer: String?
    @Option(help: "Where checkpoints and logs go: a new or empty folder, or an earlier run's, which this run writes into.")
    var outputDir: String?
    @Option(help: "classification or regression (default: from the labels).")
    var task: String?
    @Option(help: "bag (fastText-like) or transformer (BERT encoder) from scratch, or an HF model folder to fine-tune.")
    var model: String?

    @Option(help: "Epochs (default 3).") var epochs: String?
    @Option(help: "Optimizer steps; overrides --epochs when > 0.") var maxSteps: String?
    @Option(help: "Rows per batch (default 32).") var batchSize: String?
    @Option(help: "Rows per evaluation batch (default 64).") var evalBatchSize: String?
    @Option(name: [.customLong("learning-rate"), .customLong("lr")], help: "Peak learning rate (default 5e-5).") var learningRate: String?
    @Option(help: "AdamW weight decay (not on biases/LayerNorm; default 0).") var weightDecay: String?
    @Option(help: "Warmup steps.") var warmupSteps: String?
    @Option(help: "Warmup as a fraction of the steps.") var warmupRatio: String?
    @Option(help: "constant, linear, cosine or cosine_with_restarts (default linear).") var schedule: String?
    @Option(name: [.customLong("gradient-accumulation-steps"), .customLong("grad-accum")], help: "Batches per optimizer step.") var gradientAccumulationSteps: String?
    @Option(help: "Clip gradients to this global norm (0: no clipping; default 1).") var maxGradNorm: String?
    @Option(help: "Seed for initialization, batch order and dropout (default 42).") var seed: String?
    @Option(help: "Transformer layers (default 4).") var layers: String?
    @Option(help: "Transformer hidden size (default 256).") var hidden: String?
    @Option(help: "Attention heads (default 4).") var heads: String?
    @Option(help: "Feed-forward size (default 1024).") var ffn: String?
    @Option(help: "Transformer max positions (default 512).") var maxPositionEmbeddings: String?
    @Option(help: "Transformer dropout (default 0.1).") var dropout: String?
    @Option(help: "Bag model embedding size (default 100).") var dimension: String?
    @Option(help: "Bag model hash buckets for id bigrams (default 200000; 0 disables).") var bigramBuckets: String?
    @Option(help: "Model vocabulary (default: the tokenizer's, else the largest id in the data + 1).") var vocabSize: String?
    @Option(help: "Pad batches to a multiple of this.") var padToMultipleOf: String?
    @Option(help: "epoch, steps or no (default epoch).") var evalStrategy: String?
    @Option(help: "Evaluate every N steps with --eval-strategy steps (default 500).") var evalSteps: String?
    @Option(help: "Log the mean loss every N steps (default 50).") var loggingSteps: String?
    @Option(help: "Metric for the best checkpoint and early stopping (default accuracy / pearson).") var metric: String?
    @Option(help: "true or false (default: false for loss/mse/mae, else true).") var greaterIsBetter: String?
    @Option(help: "Stop after this many evaluations without improvement.") var earlyStoppingPatience: String?
    @Option(help: "Keep the best checkpoint plus the last N (default: keep all).") var saveTotalLimit: String?
    @Option(help: "Stop cleanly (evaluate, save) after this many minutes; a decaying schedule decays over them.") var maxTime: String?
    @Option(help: "Evaluate during training on a seeded sample of this many eval rows (default: all).") var evalMaxRows: String?
    @Option(help: "Continue from this checkpoint folder (weights, optimizer, schedule, step).") var resumeFromCheckpoint: String?

    @Flag(help: "Word embeddings get no gradient and no AdamW state (less memory, faster steps; Transformer models).")
    var freezeEmbeddings = false
    @Flag(help: "No progress display.") var quiet = false

    /// The flags as settings keys, in the order they override the config file.
    private var flagSettings: [(flag: String, key: String, value: String?)] {
        [
            ("train", "train", train), ("eval", "eval", eval), ("tokenizer", "tokenizer", tokenizer),
            ("output-dir", "output_dir", outputDir), ("task", "task", task), ("model", "model", model),
            ("epochs", "num_train_epochs", epochs), ("max-steps", "max_steps", maxSteps),
            ("batch-size", "batch_size", batchSize), ("eval-batch-size", "eval_batch_size", evalBatchSize),
            ("learning-rate", "learning_rate", learningRate), ("weight-decay", "weight_decay", weightDecay),
            ("warmup-steps", "warmup_steps", warmupSteps), ("warmup-ratio", "warmup_ratio", warmupRatio),
            ("schedule", "lr_scheduler_type", schedule),
            ("gradient-accumulation-steps", "gradient_accumulation_steps", gradientAccumulationSteps),
            ("max-grad-norm", "max_grad_norm", maxGradNorm), ("seed", "seed", seed),
            ("layers", "num_hidden_layers", layers), ("hidden", "hidden_size", hidden),
            ("heads", "num_attention_heads", heads), ("ffn", "intermediate_size", ffn),
            ("max-position-embeddings", "max_position_embeddings", maxPositionEmbeddings),
            ("dropout", "hidden_dropout_prob", dropout), ("dropout", "attention_probs_dropout_prob", dropout),
            ("dimension", "bag_dimension", dimension), ("bigram-buckets", "bigram_buckets", bigramBuckets),
            ("vocab-size", "vocab_size", vocabSize), ("pad-to-multiple-of", "pad_to_multiple_of", padToMultipleOf),
            ("eval-strategy", "eval_strategy", evalStrategy), ("eval-steps", "eval_steps", evalSteps),
            ("logging-steps", "logging_steps", loggingSteps), ("metric", "metric_for_best_model", metric),
            ("greater-is-better", "greater_is_better", greaterIsBetter),
            ("early-stopping-patience", "early_stopping_patience", earlyStoppingPatience),
            ("save-total-limit", "save_total_limit", saveTotalLimit), ("max-time", "max_time", maxTime),
            ("eval-max-rows", "eval_max_rows", evalMaxRows),
            ("resume-from-checkpoint", "resume_from_checkpoint", resumeFromCheckpoint),
            ("freeze-embeddings", "freeze_embeddings", freezeEmbeddings ? "true" : nil),
        ]
    }

    func run() throws {
        var arguments = TrainingArguments()
        if let config {
            for entry in try ConfigFile.load(path: config) {
                let warning = try arguments.set(entry.key, entry.value, at: entry.location)
                warning.map { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
            }
        }
        for case let (flag, key, value?) in flagSettings { try arguments.set(key, value, at: SourceLocation(path: "--" + flag)) }
        try arguments.validate()  // bad settings fail before any data is read
        guard let trainPath = arguments.train else { throw InputError("no training data", hint: "pass --train DIR (token shards from `dsprep tokenize`)") }
        if let outputDir = arguments.outputDir {
            // Before hours of training: the run folder must be new, empty, or an earlier run's.
            try OutputPolicy.checkFolder(outputDir, kind: .trainingRun, flag: "--output-dir",
                                         inputs: [trainPath, arguments.eval, arguments.tokenizer, config].compactMap { $0 })
        }
        let trainRows = try TokenizedSplit.load(trainPath, preferredSplits: TokenizedSplit.trainSplits)
        let evalRows = try arguments.eval.map {
            try TokenizedSplit.load($0, preferredSplits: TokenizedSplit.evalSplits).relabelled(as: trainRows.labelNames)
        }
        guard let inferred = trainRows.inferredTask else { throw InputError("the training data has no labels", at: SourceLocation(path: trainRows.source)) }
        let task = try resolveTask(arguments.task, inferred: inferred, source: trainRows.source)
        let vocabSize: Int, padId: Int32, modelDescription: String
        if let folder = arguments.modelNameOrPath {
            // The folder decides the vocabulary, the pad id and (unless given) the tokenizer.
            let (configuration, _, _) = try PretrainedModel.configuration(in: folder)
            if arguments.tokenizer == nil, TokenizerMatch.file(folder) != nil { arguments.tokenizer = folder }
            if let tokenizer = arguments.tokenizer {
                for rows in [trainRows] + (evalRows.map { [$0] } ?? []) {
                    if let note = try TokenizerMatch.check(shards: rows.source, tokenizer: tokenizer) { print(note) }
                }
            }
            vocabSize = configuration.vocabSize
            let idBound = max(trainRows.idBound, evalRows?.idBound ?? 0)
            try check(idBound <= vocabSize, "the shards hold token id \(idBound - 1), but the model's vocab_size is \(vocabSize)",
                      at: SourceLocation(path: folder + "/config.json"))
            padId = Int32(configuration.padTokenId)
            modelDescription = "fine-tuning \(folder) (\(configuration.modelType.rawValue), \(configuration.numHiddenLayers) layers, hidden \(configuration.hiddenSize))"
        } else {
            let textTokenizer = try arguments.tokenizer.map { try TokenizerLoader.load(path: $0) }
            vocabSize = arguments.vocabSize ?? textTokenizer?.vocabularySize ?? max(trainRows.idBound, evalRows?.idBound ?? 0)
            if arguments.vocabSize == nil && textTokenizer == nil {
                print("vocabulary size \(vocabSize) from the largest id in the data (pass --tokenizer or --vocab-size to fix it)")
            }
            padId = textTokenizer.flatMap { tokenizer in ["[PAD]", "<pad>"].lazy.compactMap { tokenizer.id(of: $0) }.first } ?? 0
            modelDescription = "\(arguments.model.rawValue) model"
        }
        print("\(modelDescription), \(describe(task, names: trainRows.labelNames)), \(trainRows.rowCount) train rows"
              + (evalRows.map { ", \($0.rowCount) eval rows" } ?? ", no evaluation data"))
        let trainer = try Trainer(arguments: arguments, train: trainRows, eval: evalRows, task: task, vocabSize: vocabSize,
                                  padTokenId: padId, quiet: quiet) { line in
            // flushed per line, so a run logged to a file shows each evaluation as it happens
            print(line)
            fflush(stdout)
        }
        _ = try trainer.run()
    }

    private func resolveTask(_ requested: TrainingArguments.TaskKind?, inferred: Task, source: String) throws -> Task {
        switch (requested, inferred) {
        case (nil, _), (.classification?, .classification), (.regression?, .regression): return inferred
        case (let requested?, _):
            throw InputError("--task \(requested.rawValue) does not fit the labels, which are \(inferred == .regression ? "float scores" : "class ids")",
                             at: SourceLocation(path: source))
        }
    }

    private func describe(_ task: Task, names: [String]?) -> String {
        switch task {
        case .regression: return "regression"
        case .classification(let k): return "\(k)-class classification" + (names.map { " (" + $0.joined(separator: ", ") + ")" } ?? "")
        }
    }
}
