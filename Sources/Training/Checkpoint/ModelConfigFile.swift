import DSPrepSupport
import Foundation

/// `config.json` beside `model.safetensors`, in HF config form so `transformers` builds the same
/// `*ForSequenceClassification` from it, and so dsprep reads HF model folders.
extension BertConfiguration {
    /// The config as JSON: `base` (the source folder's config.json, when fine-tuning) with every
    /// key this configuration and the task set written over it, so keys dsprep does not know
    /// (tokenizer_class, bos/eos ids, ...) survive the round trip.
    public func configJSON(task: ProblemType, base: [String: Any] = [:]) throws -> Data {
        var object = base
        let own = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        object.merge(own) { $1 }
        object["architectures"] = [modelType.sequenceClassificationArchitecture]
        object["position_embedding_type"] = "absolute"
        object["num_labels"] = task.outputCount
        object["problem_type"] = task == .regression ? "regression" : "single_label_classification"
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// Reads a `config.json` of an HF model folder or a dsprep checkpoint. Returns the
    /// configuration, the task the config describes (`problem_type`, `num_labels` or the size of
    /// `id2label`; 2 classes when it says nothing, as HF) and the whole JSON object (kept for export).
    /// Errors name the file and the key.
    public static func load(configAt path: String) throws -> (BertConfiguration, ProblemType, [String: Any]) {
        let location = SourceLocation(path: path)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError("cannot read model config: \(error.localizedDescription)", at: location)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError("not a JSON object", at: location)
        }
        let supported = ModelType.allCases.map(\.rawValue).joined(separator: ", ")
        let modelType = object["model_type"] as? String ?? "bert"
        try check(ModelType(rawValue: modelType) != nil,
                  "model_type \"\(modelType)\" is not supported (dsprep fine-tunes \(supported))", at: location)
        let activation = object["hidden_act"] as? String ?? "gelu"
        try check(GELU.Form(hiddenAct: activation) != nil,
                  "hidden_act \"\(activation)\" is not supported (gelu, the erf form, or gelu_new / gelu_pytorch_tanh)", at: location)
        if let positions = object["position_embedding_type"] as? String {
            try check(positions == "absolute", "position_embedding_type \"\(positions)\" is not supported (only absolute)", at: location)
        }
        var configuration: BertConfiguration
        do {
            var normalized = object
            normalized["hidden_act"] = GELU.Form(hiddenAct: activation)?.rawValue
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: JSONSerialization.data(withJSONObject: normalized))
        } catch let error as DecodingError {
            throw InputError("not a BERT-family config: \(Self.describe(error))", at: location)
        }
        let problemType = object["problem_type"] as? String
        try check(problemType == nil || problemType == "regression" || problemType == "single_label_classification",
                  "problem_type \"\(problemType ?? "")\" is not supported (single_label_classification or regression)", at: location)
        let labels = object["num_labels"] as? Int ?? (object["id2label"] as? [String: Any])?.count ?? 2
        let task: ProblemType = problemType == "regression" ? .regression : .classification(labels: labels)
        return (configuration, task, object)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "no \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return (context.codingPath.last.map { $0.stringValue + ": " } ?? "") + context.debugDescription
        @unknown default: return String(describing: error)
        }
    }
}
