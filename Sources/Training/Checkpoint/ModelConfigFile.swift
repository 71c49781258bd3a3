import DSPrepSupport
import Foundation

/// `config.json` beside `model.safetensors`, in HF `BertConfig` form so `transformers` can
/// build the same `BertForSequenceClassification` from it.
extension BertConfiguration {
    public func configJSON(task: Task) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        object["model_type"] = "bert"
        object["architectures"] = ["BertForSequenceClassification"]
        // GELU here is the tanh approximation, which HF calls "gelu_new".
        object["hidden_act"] = "gelu_new"
        object["position_embedding_type"] = "absolute"
        object["num_labels"] = task.outputCount
        object["problem_type"] = task == .regression ? "regression" : "single_label_classification"
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// Reads a `config.json` (extra HF keys are ignored); the error names the file.
    public static func load(configAt path: String) throws -> (BertConfiguration, Task) {
        let location = SourceLocation(path: path)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError("cannot read model config: \(error.localizedDescription)", at: location)
        }
        let configuration: BertConfiguration
        do { configuration = try JSONDecoder().decode(BertConfiguration.self, from: data) } catch {
            throw InputError("not a BERT config: \(error)", at: location)
        }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let labels = (object["num_labels"] as? Int) ?? 2
        let task: Task = object["problem_type"] as? String == "regression" ? .regression : .classification(labels: labels)
        return (configuration, task)
    }
}
