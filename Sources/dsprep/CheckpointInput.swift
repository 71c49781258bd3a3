import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers
import Training
import TrainingData

/// What `evaluate` and `predict` share: a trained checkpoint folder and the rows to run it on,
/// either token shards or a raw CSV/TSV/JSONL file tokenized on the fly with the tokenizer copy
/// the checkpoint carries, with class labels mapped to the checkpoint's ids by name.
struct CheckpointInput {
    let model: Training.Model
    let labelNames: [String]?
    let rows: LabelledRows<ShardTokenRows>
    let collator: Collator

    /// `labels`: `.required` for evaluation; `.ignored` for prediction, which never reads them.
    /// `options`: how a raw file is tokenized (its columns; its max length, else the model's).
    /// `checkpoint`: a checkpoint folder, or a training output folder (its best checkpoint is used).
    init(checkpoint named: String, data: String, labels: TokenizedSplit.LabelUse, options: TokenizeJob.Options, ingestOptions: IngestOptions) throws {
        let (checkpoint, choice) = try CheckpointFolders.modelFolder(at: named)
        if let choice { FileHandle.standardError.write(Data("\(choice)\n".utf8)) }
        (model, labelNames) = try ModelFiles.load(from: checkpoint)
        let modelMaxLength = (model as? BertModel)?.configuration.maxSequenceLength
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), !isDirectory.boolValue {
            let folder = NSTemporaryDirectory() + "dsprep-checkpoint-input-" + UUID().uuidString
            TemporaryOutputs.register(folder)  // removed on Ctrl-C too
            defer { TemporaryOutputs.discard(folder) }  // the maps stay valid after unlinking
            var options = options
            options.maxLength = options.maxLength ?? modelMaxLength
            options.noLabel = labels == .ignored
            // a bi-encoder reads a pair's texts encoded each on its own
            options.separatePairs = (model as? BertModel)?.configuration.output == .cosineSimilarity
            try Self.tokenize(data, checkpoint: checkpoint, into: folder, options: options, ingestOptions: ingestOptions)
            let loaded = try TokenizedSplit.load(folder, preferredSplits: [], labels: labels)
            rows = labels == .ignored ? loaded : try loaded.relabelled(as: labelNames)
        } else {
            rows = try TokenizedSplit.load(data, preferredSplits: TokenizedSplit.evalSplits, labels: labels)
        }
        collator = Collator(padTokenId: Int32((model as? BertModel)?.configuration.padTokenId ?? 0), maxLength: modelMaxLength ?? Int(Int32.max))
    }

    /// Tokenizes a raw file with the tokenizer copied into the checkpoint: the files of a model
    /// folder (tokenizer.json / vocab.txt, as transformers saves them), or the one file `dsprep
    /// train --tokenizer` was given.
    static func tokenize(_ path: String, checkpoint: String, into folder: String, options: TokenizeJob.Options,
                         ingestOptions: IngestOptions) throws {
        if TokenizerMatch.file(checkpoint) != nil {
            return try tokenize(path, tokenizer: checkpoint, into: folder, options: options, ingestOptions: ingestOptions)
        }
        let argumentsPath = checkpoint + "/" + CheckpointFolders.argumentsFile
        let saved = (try? MappedFile(path: argumentsPath)).flatMap { try? JSONValue.parse($0.bytes, path: argumentsPath) }
        guard let original = saved?["tokenizer"]?.stringValue else {
            throw InputError("the checkpoint has no tokenizer, so a raw file cannot be tokenized", at: SourceLocation(path: checkpoint),
                             hint: "tokenize the file with `dsprep tokenize` and pass the shards, or train with --tokenizer")
        }
        try tokenize(path, tokenizer: checkpoint + "/" + URL(fileURLWithPath: original).lastPathComponent, into: folder,
                     options: options, ingestOptions: ingestOptions)
    }

    static func tokenize(_ path: String, tokenizer: String, into folder: String, options: TokenizeJob.Options,
                         ingestOptions: IngestOptions) throws {
        let run = TokenizeRun(inputs: [("test", path)], asCollection: false, tokenizerPath: tokenizer, options: options,
                              ingestOptions: ingestOptions) { try TokenizerLoader.load(path: tokenizer) }
        _ = try run.run(out: folder, cache: nil, ingestDescription: "", quiet: true)
    }
}

/// How `evaluate` and `predict` read DATA and batch it.
struct CheckpointDataFlags: ParsableArguments {
    @OptionGroup var text: TextColumnOption
    @OptionGroup var textPair: TextPairColumnOption

    @Option(help: "For a raw file: truncate rows to this many tokens (default: the model's max positions, else the tokenizer's).")
    var maxLength: Int?

    @OptionGroup var input: InputFlags

    @Option(help: "Rows per batch.")
    var batchSize = 64

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    /// `labelColumn`: for a raw file, the label column (nil: found by name).
    func open(checkpoint: String, data: String, labels: TokenizedSplit.LabelUse, labelColumn: String? = nil) throws -> CheckpointInput {
        var options = TokenizeJob.Options()
        options.textColumn = text.textColumn
        options.textPairColumn = textPair.textPairColumn
        options.labelColumn = labelColumn
        options.maxLength = maxLength
        return try CheckpointInput(checkpoint: checkpoint, data: data, labels: labels, options: options,
                                   ingestOptions: try input.ingestOptions())
    }
}
