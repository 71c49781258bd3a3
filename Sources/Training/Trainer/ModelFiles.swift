import DSPrepSupport
import Foundation

/// Builds the model a run asks for, and writes / reads it as `config.json` + `model.safetensors`.
/// The Transformer's config is HF `BertConfig`; the bag model's uses `model_type` "dsprep-bag".
/// Both carry `num_labels`, `problem_type` and, for classification, `id2label`/`label2id`.
public enum ModelFiles {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"
    static let bagModelType = "dsprep-bag"

    public static func build(_ arguments: TrainingArguments, task: Task, vocabSize: Int) throws -> Model {
        let loss = try TaskLoss(task: task)
        switch arguments.model {
        case .bag:
            let configuration = BagModel.Configuration(vocabSize: vocabSize, bigramBuckets: arguments.bigramBuckets,
                                                       dimension: arguments.bagDimension)
            return BagModel(configuration: configuration, loss: loss, seed: arguments.seed)
        case .transformer:
            let configuration = BertConfiguration(
                vocabSize: vocabSize, hiddenSize: arguments.hiddenSize, numHiddenLayers: arguments.numHiddenLayers,
                numAttentionHeads: arguments.numAttentionHeads, intermediateSize: arguments.intermediateSize,
                maxPositionEmbeddings: arguments.maxPositionEmbeddings, hiddenDropoutProb: arguments.hiddenDropoutProb,
                attentionProbsDropoutProb: arguments.attentionProbsDropoutProb)
            return try BertModel(configuration: configuration, loss: loss, seed: arguments.seed)
        }
    }

    /// Writes `config.json` and `model.safetensors` into `folder`.
    public static func save(_ model: Model, labelNames: [String]?, in folder: String) throws {
        var object: [String: Any]
        switch model {
        case let bert as BertModel:
            object = try JSONSerialization.jsonObject(with: bert.configuration.configJSON(task: bert.task)) as? [String: Any] ?? [:]
        case let bag as BagModel:
            object = ["model_type": bagModelType, "vocab_size": bag.configuration.vocabSize,
                      "bigram_buckets": bag.configuration.bigramBuckets, "dimension": bag.configuration.dimension,
                      "num_labels": bag.task.outputCount,
                      "problem_type": bag.task == .regression ? "regression" : "single_label_classification"]
        default:
            throw InputError("cannot save a model of type \(type(of: model))")
        }
        if case .classification(let k) = model.task {
            let names = (0..<k).map { id -> String in
                guard let labelNames, id < labelNames.count else { return "LABEL_\(id)" }
                return labelNames[id]
            }
            var id2label: [String: String] = [:], label2id: [String: Int] = [:]
            for (id, name) in names.enumerated() {
                id2label[String(id)] = name
                if label2id[name] == nil { label2id[name] = id }
            }
            object["id2label"] = id2label
            object["label2id"] = label2id
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicOutput.writeFile(data, to: folder + "/" + configFile)
        try Safetensors.write(model.parameters, to: folder + "/" + weightsFile)
    }

    /// Reads a model saved by `save` (a checkpoint folder). Returns it with its label names.
    public static func load(from folder: String, seed: UInt64 = 0) throws -> (model: Model, labelNames: [String]?) {
        let configPath = folder + "/" + configFile
        guard let data = FileManager.default.contents(atPath: configPath),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError("no readable JSON config here", at: SourceLocation(path: configPath),
                             hint: "pass a checkpoint folder written by `dsprep train` (checkpoint-N/)")
        }
        let model: Model
        if object["model_type"] as? String == bagModelType {
            guard let vocabSize = object["vocab_size"] as? Int, let buckets = object["bigram_buckets"] as? Int,
                  let dimension = object["dimension"] as? Int, vocabSize > 0, buckets >= 0, dimension > 0 else {
                throw InputError("vocab_size, bigram_buckets and dimension must be positive integers", at: SourceLocation(path: configPath))
            }
            let configuration = BagModel.Configuration(vocabSize: vocabSize, bigramBuckets: buckets, dimension: dimension)
            model = BagModel(configuration: configuration, loss: try TaskLoss(task: task(in: object, at: configPath)), seed: seed)
        } else {
            let (configuration, task) = try BertConfiguration.load(configAt: configPath)
            model = try BertModel(configuration: configuration, loss: try TaskLoss(task: task), seed: seed)
        }
        try Safetensors.load(folder + "/" + weightsFile, into: model.parameters)
        var labelNames: [String]?
        if let names = object["id2label"] as? [String: String] {
            labelNames = names.compactMap { key, value in Int(key).map { ($0, value) } }.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return (model, labelNames)
    }

    static func task(in object: [String: Any], at path: String) throws -> Task {
        if object["problem_type"] as? String == "regression" { return .regression }
        guard let labels = object["num_labels"] as? Int, labels >= 2 else {
            throw InputError("num_labels must be an integer ≥ 2 for classification", at: SourceLocation(path: path))
        }
        return .classification(labels: labels)
    }
}
