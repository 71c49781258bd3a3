import DSPrepSupport
import Foundation

/// `trainer_state.json` with the HF Trainer's keys (epoch, global_step, max_steps, log_history,
/// best_metric, best_model_checkpoint, best_global_step, ...) plus what an exact resume needs
/// here: the seed, the Transformer's dropout stream counter and the early-stopping count.
public struct TrainerState: Equatable, Sendable {
    public static let fileName = "trainer_state.json"

    public var epoch: Double = 0
    public var globalStep = 0
    public var maxSteps = 0
    public var numTrainEpochs: Double = 0
    public var trainBatchSize = 0
    public var logHistory: [[String: Double]] = []
    public var bestMetric: Double?
    public var bestModelCheckpoint: String?
    public var bestGlobalStep: Int?
    /// The metric `bestMetric` is of, with `eval_`.
    public var bestMetricName: String?
    public var seed: UInt64 = 0
    public var forwardCount: UInt64 = 0
    public var evaluationsWithoutImprovement = 0
    public var totalFlos: Double = 0

    public init() {}

    /// The file's text, as HF writes it (indent 2, sorted keys). JSON has no NaN or infinity:
    /// they are written as null (Python's json would refuse them too).
    public func jsonData() throws -> Data {
        func number(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }
        func whole<T: BinaryInteger>(_ value: T, _ key: String) throws -> JSONValue {
            guard let number = JSONValue.exactNumber(value) else {
                throw InputError("\(key) \(value) is beyond 2^53 − 1, where JSON numbers stop being exact")
            }
            return number
        }
        let history: [JSONValue] = logHistory.map { entry in
            .object(entry.map { key, value in (key, key == "step" && value.isFinite ? .number(value.rounded()) : number(value)) })
        }
        let document: JSONValue = .object([
            ("epoch", number(epoch)), ("global_step", try whole(globalStep, "global_step")), ("max_steps", try whole(maxSteps, "max_steps")),
            ("num_train_epochs", number(numTrainEpochs)), ("train_batch_size", try whole(trainBatchSize, "train_batch_size")),
            ("seed", try whole(seed, "seed")), ("forward_count", try whole(forwardCount, "forward_count")),
            ("early_stopping_patience_counter", try whole(evaluationsWithoutImprovement, "early_stopping_patience_counter")),
            ("log_history", .array(history)),
            ("best_metric", bestMetric.map(number) ?? .null),
            ("best_model_checkpoint", bestModelCheckpoint.map(JSONValue.string) ?? .null),
            ("best_global_step", bestGlobalStep.map { .number(Double($0)) } ?? .null),
            ("metric_for_best_model", bestMetricName.map(JSONValue.string) ?? .null),
            ("is_world_process_zero", .bool(true)), ("is_local_process_zero", .bool(true)), ("is_hyper_param_search", .bool(false)),
            ("total_flos", number(totalFlos)),
        ])
        return Data(document.sortedFileText.utf8)
    }

    public static func load(path: String) throws -> TrainerState {
        let location = SourceLocation(path: path)
        let document = try JSONValue.readObject(at: path, what: "trainer state")
        func number(_ key: String) -> Double? { if case let .number(value)? = document[key] { return value } else { return nil } }
        func whole(_ key: String) throws -> UInt64 {
            guard let value = document[key] else { return 0 }
            guard let exact = value.exactInteger(as: UInt64.self) else {
                throw InputError("\(key) must be a whole number of at least 0", at: location)
            }
            return exact
        }
        var state = TrainerState()
        guard let step = document["global_step"]?.intValue, step >= 0 else {
            throw InputError("global_step is missing or negative", at: location)
        }
        state.globalStep = step
        state.epoch = number("epoch") ?? 0
        state.maxSteps = document["max_steps"]?.intValue ?? 0
        state.numTrainEpochs = number("num_train_epochs") ?? 0
        state.trainBatchSize = document["train_batch_size"]?.intValue ?? 0
        state.logHistory = (document["log_history"]?.arrayValue ?? []).map { entry in
            var numbers: [String: Double] = [:]
            for (key, value) in entry.objectValue ?? [] { if case let .number(n) = value { numbers[key] = n } }
            return numbers
        }
        state.bestMetric = number("best_metric")
        state.bestModelCheckpoint = document["best_model_checkpoint"]?.stringValue
        state.bestGlobalStep = document["best_global_step"]?.intValue
        state.bestMetricName = document["metric_for_best_model"]?.stringValue
        state.seed = try whole("seed")
        state.forwardCount = try whole("forward_count")
        state.evaluationsWithoutImprovement = document["early_stopping_patience_counter"]?.intValue ?? 0
        state.totalFlos = number("total_flos") ?? 0
        return state
    }
}
