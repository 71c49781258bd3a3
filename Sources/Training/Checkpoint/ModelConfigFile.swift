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
        if modelType == .distilbert {
            for (distilBert, bert) in Self.distilBertKeys { (document[distilBert], document[bert]) = (document[bert], nil) }
            for key in Self.keysDistilBertLacks { document[key] = nil }
        }
        return document
    }

    /// DistilBERT's config.json names BERT's settings its own way: read as BERT's, written back as its own.
    static let distilBertKeys = [("dim", "hidden_size"), ("n_layers", "num_hidden_layers"), ("n_heads", "num_attention_heads"),
                                 ("hidden_dim", "intermediate_size"), ("dropout", "hidden_dropout_prob"),
                                 ("attention_dropout", "attention_probs_dropout_prob"), ("activation", "hidden_act"),
                                 ("seq_classif_dropout", "classifier_dropout")]
    /// BERT settings DistilBERT does not have (its LayerNorm epsilon is fixed at 1e-12).
    static let keysDistilBertLacks = ["type_vocab_size", "layer_norm_eps", "embedding_size", "position_embedding_type"]

    /// A DistilBERT config document in BERT's keys, with what DistilBERT fixes: no token types,
    /// LayerNorm epsilon 1e-12, and DistilBertConfig's head dropout default (0.2).
    private static func distilBertAsBert(_ document: JSONValue, at location: SourceLocation) throws -> JSONValue {
        let missing = ["vocab_size", "dim", "n_layers", "n_heads", "hidden_dim"].filter { document[$0] == nil }
        try check(missing.isEmpty, "a distilbert config needs \(missing.joined(separator: ", "))", at: location)
        try check(document["sinusoidal_pos_embds"]?.boolValue != true,
                  "sinusoidal_pos_embds: true is not supported (transformers keeps those position embeddings fixed; dsprep would train them)",
                  at: location)
        var bert = document
        for (distilBert, key) in distilBertKeys { (bert[key], bert[distilBert]) = (document[distilBert], nil) }
        bert["classifier_dropout"] = document["seq_classif_dropout"] ?? .number(0.2)
        bert["type_vocab_size"] = .number(0)
        bert["layer_norm_eps"] = .number(1e-12)
        return bert
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
        let distilBert = modelType == ModelType.distilbert.rawValue
        var normalized = distilBert ? try distilBertAsBert(document, at: location) : document
        let activation = normalized["hidden_act"]?.stringValue ?? "gelu"
        guard let form = GELU.Form(hiddenAct: activation) else {
            throw InputError("\(distilBert ? "activation" : "hidden_act") \"\(activation)\" is not supported (gelu, the erf form, or gelu_new / gelu_pytorch_tanh)",
                             at: location)
        }
        if let positions = normalized["position_embedding_type"]?.stringValue {
            try check(positions == "absolute", "position_embedding_type \"\(positions)\" is not supported (only absolute)", at: location)
        }
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
