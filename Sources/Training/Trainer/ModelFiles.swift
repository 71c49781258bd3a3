import DSPrepSupport
import Foundation

/// Builds the model a run asks for (from scratch, or from an HF model folder to fine-tune), and
/// writes / reads it as `config.json` + `model.safetensors`. The Transformer's config is an HF
/// BERT/RoBERTa/XLM-R/ELECTRA config that `transformers` loads as `*ForSequenceClassification`;
/// the bag model's uses `model_type` "dsprep-bag". Both carry `num_labels`, `problem_type`,
/// `id2label` and `label2id`.
public enum ModelFiles {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    static let bagModelType = "dsprep-bag"

    /// `biEncoderScoreScale`: build a bi-encoder (`BertConfiguration.Output.cosineSimilarity`)
    /// for scores up to this, in place of a classification head. `log` receives which weights a
    /// pretrained folder lacked or had in excess.
    public static func build(_ arguments: TrainingArguments, task: ProblemType, vocabSize: Int, biEncoderScoreScale: Float? = nil,
                             log: (String) -> Void = { _ in }) throws -> Model {
        func setOutput(_ configuration: inout BertConfiguration) {
            configuration.output = biEncoderScoreScale == nil ? .sequenceClassification : .cosineSimilarity
            configuration.scoreScale = biEncoderScoreScale ?? 1
            configuration.similarityLoss = arguments.similarityLoss
        }
        if let folder = arguments.modelNameOrPath {
            let (model, report) = try PretrainedModel.load(folder: folder, task: task, seed: arguments.seed) {
                $0.freezeWordEmbeddings = arguments.freezeEmbeddings
                // Given dropouts replace the folder's, as keyword arguments to from_pretrained do.
                if let probability = arguments.hiddenDropoutProb { $0.hiddenDropoutProb = probability }
                if let probability = arguments.attentionProbsDropoutProb { $0.attentionProbsDropoutProb = probability }
                setOutput(&$0)
            }
            report.messages(folder: folder).forEach(log)
            return model
        }
        let loss = try TaskLoss(task: task)
        switch arguments.model {
        case .bag:
            guard biEncoderScoreScale == nil else {
                throw InputError("the bag model cannot be a bi-encoder", hint: "train --model transformer or a pretrained folder on pairs encoded separately")
            }
            let configuration = BagModel.Configuration(vocabSize: vocabSize, bigramBuckets: arguments.bigramBuckets,
                                                       dimension: arguments.bagDimension)
            return BagModel(configuration: configuration, loss: loss, seed: arguments.seed)
        case .transformer:
            var configuration = BertConfiguration(
                vocabSize: vocabSize, hiddenSize: arguments.hiddenSize, numHiddenLayers: arguments.numHiddenLayers,
                numAttentionHeads: arguments.numAttentionHeads, intermediateSize: arguments.intermediateSize,
                maxPositionEmbeddings: arguments.maxPositionEmbeddings, hiddenDropoutProb: arguments.hiddenDropoutProb ?? 0.1,
                attentionProbsDropoutProb: arguments.attentionProbsDropoutProb ?? 0.1)
            configuration.freezeWordEmbeddings = arguments.freezeEmbeddings
            setOutput(&configuration)
            return try BertModel(configuration: configuration, loss: loss, seed: arguments.seed)
        }
    }

    /// Writes `config.json` (as transformers writes it: indent 2, sorted keys) and
    /// `model.safetensors` into `folder`.
    public static func save(_ model: Model, labelNames: [String]?, in folder: String) throws {
        var document: JSONValue
        switch model {
        case let bert as BertModel:
            document = try bert.configuration.configJSON(task: bert.task, base: bert.baseConfig)
        case let bag as BagModel:
            document = .object([
                ("model_type", .string(bagModelType)), ("vocab_size", .number(Double(bag.configuration.vocabSize))),
                ("bigram_buckets", .number(Double(bag.configuration.bigramBuckets))),
                ("dimension", .number(Double(bag.configuration.dimension))), ("num_labels", .number(Double(bag.task.outputCount))),
                ("problem_type", .string(bag.task == .regression ? "regression" : "single_label_classification")),
            ])
        default:
            throw InputError("cannot save a model of type \(type(of: model))")
        }
        // Regression gets HF's one-entry map too, so a base config's labels do not survive.
        let names = (0..<model.task.outputCount).map { id -> String in
            guard let labelNames, id < labelNames.count, model.task != .regression else { return "LABEL_\(id)" }
            return labelNames[id]
        }
        var label2id: [(String, JSONValue)] = []
        for (id, name) in names.enumerated() where !label2id.contains(where: { $0.0 == name }) {
            label2id.append((name, .number(Double(id))))
        }
        document["id2label"] = .object(names.enumerated().map { (String($0.offset), .string($0.element)) })
        document["label2id"] = .object(label2id)
        try AtomicOutput.writeFile(Data(document.sortedFileText.utf8), to: folder + "/" + configFile)
        try Safetensors.write(model.parameters, to: folder + "/" + weightsFile)
        if let bert = model as? BertModel, bert.configuration.output == .cosineSimilarity {
            try SentenceTransformersFiles.write(hiddenSize: bert.configuration.hiddenSize,
                                                maxSequenceLength: bert.configuration.maxSequenceLength, in: folder)
        }
    }

    /// Reads a model saved by `save` (a checkpoint folder). Returns it with its label names.
    public static func load(from folder: String, seed: UInt64 = 0) throws -> (model: Model, labelNames: [String]?) {
        let configPath = folder + "/" + configFile
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw InputError("no config here", at: SourceLocation(path: configPath),
                             hint: "pass a checkpoint folder written by `dsprep train` (checkpoint-N/)")
        }
        let document = try JSONValue.readObject(at: configPath, what: "model config")
        let model: Model
        if document["model_type"]?.stringValue == bagModelType {
            guard let vocabSize = document["vocab_size"]?.intValue, let buckets = document["bigram_buckets"]?.intValue,
                  let dimension = document["dimension"]?.intValue, vocabSize > 0, buckets >= 0, dimension > 0 else {
                throw InputError("vocab_size, bigram_buckets and dimension must be positive integers", at: SourceLocation(path: configPath))
            }
            let configuration = BagModel.Configuration(vocabSize: vocabSize, bigramBuckets: buckets, dimension: dimension)
            model = BagModel(configuration: configuration, loss: try TaskLoss(task: task(in: document, at: configPath)), seed: seed)
        } else {
            let (configuration, task, config) = try BertConfiguration.load(document: document, path: configPath)
            // every parameter is read from the weights file below (a missing one is an error)
            let bert = try BertModel(configuration: configuration, loss: try TaskLoss(task: task), seed: seed, initializeParameters: false)
            bert.baseConfig = config
            model = bert
        }
        try Safetensors.load(folder + "/" + weightsFile, into: model.parameters)
        var labelNames: [String]?
        if model.task != .regression, let names = document["id2label"]?.objectValue {
            labelNames = names.compactMap { key, value in Int(key).flatMap { id in value.stringValue.map { (id, $0) } } }
                .sorted { $0.0 < $1.0 }.map(\.1)
        }
        return (model, labelNames)
    }

    /// The files of a model folder that make its tokenizer, as `AutoTokenizer.from_pretrained` reads them.
    public static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                                        "added_tokens.json", "sentencepiece.bpe.model", "spiece.model"]

    /// Copies a tokenizer into `folder`: a tokenizer file as is, or from a model folder every
    /// file of `tokenizerFiles` it has.
    public static func copyTokenizer(from path: String, to folder: String) throws {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("the tokenizer is gone", at: SourceLocation(path: path), hint: "pass --tokenizer with an existing file or folder")
        }
        let files = isDirectory.boolValue
            ? tokenizerFiles.map { path + "/" + $0 }.filter { manager.fileExists(atPath: $0) } : [path]
        for file in files { try manager.copyItem(atPath: file, toPath: folder + "/" + URL(fileURLWithPath: file).lastPathComponent) }
    }

    static func task(in document: JSONValue, at path: String) throws -> ProblemType {
        if document["problem_type"]?.stringValue == "regression" { return .regression }
        guard let labels = document["num_labels"]?.intValue, labels >= 2 else {
            throw InputError("num_labels must be an integer ≥ 2 for classification", at: SourceLocation(path: path))
        }
        return .classification(labels: labels)
    }
}
