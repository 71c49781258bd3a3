import DSPrepSupport
import Foundation

/// `config.json` beside `model.safetensors`, in HF config form so `transformers` builds the same
/// `*ForSequenceClassification` from it (or, for a bi-encoder, the base model), and so dsprep
/// reads HF model folders.
extension BertConfiguration {
    /// The key that marks a dsprep bi-encoder checkpoint (`Output.cosineSimilarity`); transformers
    /// keeps unknown keys as attributes.
    static let outputKey = "dsprep_output"
    static let scoreScaleKey = "dsprep_score_scale"

    /// The config document: `base` (the source folder's config.json, when fine-tuning) with every
    /// key this configuration and the task set written over it, so keys dsprep does not know
    /// (tokenizer_class, bos/eos ids, ...) survive the round trip.
    public func configJSON(task: ProblemType, base: JSONValue = .object([])) throws -> JSONValue {
        var document = base
        for (key, value) in try JSONValueEncoder().encode(self).objectValue ?? [] { document[key] = value }
        switch output {
        case .sequenceClassification:
            document["architectures"] = .array([.string(modelType.sequenceClassificationArchitecture)])
            (document[Self.outputKey], document[Self.scoreScaleKey]) = (nil, nil)
        case .cosineSimilarity:
            document["architectures"] = .array([.string(modelType.baseArchitecture)])
            document[Self.outputKey] = .string(output.rawValue)
            document[Self.scoreScaleKey] = try JSONValueEncoder().encode(scoreScale)  // 4.8, not 4.800000190734863
        }
        document["position_embedding_type"] = .string("absolute")
        document["num_labels"] = .number(Double(task.outputCount))
        document["problem_type"] = .string(task == .regression ? "regression" : "single_label_classification")
        return document
    }

    /// Reads a `config.json` of an HF model folder or a dsprep checkpoint. Returns the
    /// configuration, the task the config describes (`problem_type`, `num_labels` or the size of
    /// `id2label`; 2 classes when it says nothing, as HF) and the whole document (kept for export).
    /// Errors name the file, and the line and column or the key.
    public static func load(configAt path: String) throws -> (BertConfiguration, ProblemType, JSONValue) {
        try load(document: JSONValue.readObject(at: path, what: "model config"), path: path)
    }

    /// `load(configAt:)` for a config document already read from `path`.
    static func load(document: JSONValue, path: String) throws -> (BertConfiguration, ProblemType, JSONValue) {
        let location = SourceLocation(path: path)
        let supported = ModelType.allCases.map(\.rawValue).joined(separator: ", ")
        let modelType = document["model_type"]?.stringValue ?? "bert"
        try check(ModelType(rawValue: modelType) != nil,
                  "model_type \"\(modelType)\" is not supported (dsprep fine-tunes \(supported))", at: location)
        let activation = document["hidden_act"]?.stringValue ?? "gelu"
        guard let form = GELU.Form(hiddenAct: activation) else {
            throw InputError("hidden_act \"\(activation)\" is not supported (gelu, the erf form, or gelu_new / gelu_pytorch_tanh)", at: location)
        }
        if let positions = document["position_embedding_type"]?.stringValue {
            try check(positions == "absolute", "position_embedding_type \"\(positions)\" is not supported (only absolute)", at: location)
        }
        var normalized = document
        normalized["hidden_act"] = .string(form.rawValue)
        var configuration: BertConfiguration
        do { configuration = try JSONValueDecoder().decode(BertConfiguration.self, from: normalized) } catch let error as DecodingError {
            throw InputError("not a BERT-family config: \(error.readableDescription)", at: location)
        }
        if let output = document[outputKey] {
            guard let known = output.stringValue.flatMap(Output.init(rawValue:)) else {
                throw InputError("\(outputKey) must be \"\(Output.cosineSimilarity.rawValue)\" or \"\(Output.sequenceClassification.rawValue)\"", at: location)
            }
            configuration.output = known
        }
        if let scale = document[scoreScaleKey] {
            guard case let .number(value) = scale, value > 0, value.isFinite else {
                throw InputError("\(scoreScaleKey) must be a positive number", at: location)
            }
            configuration.scoreScale = Float(value)
        }
        let problemType = document["problem_type"]?.stringValue
        try check(problemType == nil || problemType == "regression" || problemType == "single_label_classification",
                  "problem_type \"\(problemType ?? "")\" is not supported (single_label_classification or regression)", at: location)
        let labels = document["num_labels"]?.intValue ?? document["id2label"]?.objectValue?.count ?? 2
        let task: ProblemType = problemType == "regression" ? .regression : .classification(labels: labels)
        return (configuration, task, document)
    }
}
