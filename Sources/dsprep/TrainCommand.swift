import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers
import Training
import TrainingData

/// `dsprep train`: a bag-of-ngrams or BERT-style model trained from scratch on token shards, or
/// a pretrained HF model folder (BERT, RoBERTa, XLM-R, ELECTRA, DistilBERT) fine-tuned on them.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train or fine-tune a classifier or regressor on token shards written by `dsprep tokenize`.",
        discussion: """
            Settings start from the defaults of the model: the bag model's and the Transformer's \
            recipes from scratch, HF's for fine-tuning (--model DIR, or model_name_or_path). --config \
            FILE overrides them (YAML or JSON; keys are the settings' names with underscores, or HF \
            TrainingArguments names, optionally grouped under sections), and the flags override the \
            file. checkpoint-N/training_args.json records the values used.

            The task and the number of classes come from the shards' labels (ClassLabel or integers → \
            classification, floats → regression). A fine-tuned folder needs shards from its own \
            tokenizer (`dsprep tokenize --tokenizer DIR`); its tokenizer files are copied into every \
            checkpoint, which transformers' from_pretrained loads. Writes OUT/checkpoint-{step}/ \
            (model.safetensors, config.json, optimizer.safetensors unless --save-only-model, trainer_state.json, \
            training_args.json, the tokenizer), metrics.jsonl, loss.svg and metric.svg; keeps the best \
            checkpoint plus the last --save-total-limit.
            """)

    @Option(help: "A YAML or JSON file of settings; flags override it.")
    var config: String?

    @Argument(parsing: .allUnrecognized, help: TrainSettingFlags.help)
    var settings: [String] = []

    @OptionGroup var quiet: QuietFlag

    func validate() throws {
        _ = try TrainSettingFlags.entries(settings)
    }

    func run() throws {
        let entries = try (config.map { try ConfigFile.load(path: $0) } ?? []) + TrainSettingFlags.entries(settings)
        let resolved = try TrainingArguments.resolving(entries)
        for warning in resolved.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        var arguments = resolved.arguments
        try arguments.validate()  // bad settings fail before any data is read
        guard let trainPath = arguments.train else { throw InputError("no training data", hint: "pass --train DIR (token shards from `dsprep tokenize`)") }
        if let outputDir = arguments.outputDir {
            // Before hours of training: the run folder must be new, empty, or an earlier run's.
            try OutputPolicy.checkFolder(outputDir, kind: .trainingRun, flag: "--out",
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
            try TrainingArguments.checkShapeSettings(entries, fit: configuration, folder: folder)
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
            // The tokenizer travels with the data: the one `dsprep tokenize` recorded, while its files are unchanged.
            if arguments.tokenizer == nil, let recorded = TokenizeRun.recordedTokenizer(in: trainRows.source) {
                if recorded.unchanged {
                    arguments.tokenizer = recorded.path
                    print("tokenizer \(recorded.path), as recorded in the training shards")
                } else {
                    print("note: the training shards were tokenized with \(recorded.path), which has changed or is gone since; "
                          + "pass --tokenizer to give the checkpoints a tokenizer")
                }
            }
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
        // The bag model's few small products would not notice the kernels.
        if arguments.recipe != .bag, let note = Matmul.kernelChoiceNote {
            print("note: \(note)")
        }
        let trainer = try Trainer(arguments: arguments, train: trainRows, eval: evalRows, task: task, vocabSize: vocabSize,
                                  padTokenId: padId, quiet: quiet.quiet) { line in
            // flushed per line, so a run logged to a file shows each evaluation as it happens
            print(line)
            fflush(nil)
        }
        _ = try trainer.run()
    }

    private func resolveTask(_ requested: TrainingArguments.TaskKind?, inferred: ProblemType, source: String) throws -> ProblemType {
        switch (requested, inferred) {
        case (nil, _), (.classification?, .classification), (.regression?, .regression): return inferred
        case (let requested?, _):
            throw InputError("--task \(requested.rawValue) does not fit the labels, which are \(inferred == .regression ? "float scores" : "class ids")",
                             at: SourceLocation(path: source))
        }
    }

    private func describe(_ task: ProblemType, names: [String]?) -> String {
        switch task {
        case .regression: return "regression"
        case .classification(let k): return "\(k)-class classification" + (names.map { " (" + $0.joined(separator: ", ") + ")" } ?? "")
        }
    }
}
