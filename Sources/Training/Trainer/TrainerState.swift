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

    public func jsonData() throws -> Data {
        var object: [String: Any] = [
            "epoch": epoch, "global_step": globalStep, "max_steps": maxSteps, "num_train_epochs": numTrainEpochs,
            "train_batch_size": trainBatchSize, "seed": seed, "forward_count": forwardCount,
            "early_stopping_patience_counter": evaluationsWithoutImprovement,
            "log_history": logHistory.map { entry in
                entry.mapValues { $0 as Any }.merging(entry["step"].map { ["step": Int($0)] } ?? [:]) { _, step in step }
            },
            "best_metric": bestMetric.map { $0 as Any } ?? NSNull(),
            "best_model_checkpoint": bestModelCheckpoint.map { $0 as Any } ?? NSNull(),
            "best_global_step": bestGlobalStep.map { $0 as Any } ?? NSNull(),
            "metric_for_best_model": bestMetricName.map { $0 as Any } ?? NSNull(),
            "is_world_process_zero": true, "is_local_process_zero": true, "is_hyper_param_search": false,
        ]
        object["total_flos"] = totalFlos
        return try JSONSerialization.data(withJSONObject: sanitized(object), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    public static func load(path: String) throws -> TrainerState {
        let location = SourceLocation(path: path)
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError("not a readable trainer_state.json", at: location)
        }
        func number(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
        var state = TrainerState()
        guard let step = object["global_step"] as? Int, step >= 0 else {
            throw InputError("global_step is missing or negative", at: location)
        }
        state.globalStep = step
        state.epoch = number("epoch") ?? 0
        state.maxSteps = object["max_steps"] as? Int ?? 0
        state.numTrainEpochs = number("num_train_epochs") ?? 0
        state.trainBatchSize = object["train_batch_size"] as? Int ?? 0
        state.logHistory = (object["log_history"] as? [[String: Any]] ?? []).map { entry in
            entry.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        state.bestMetric = number("best_metric")
        state.bestModelCheckpoint = object["best_model_checkpoint"] as? String
        state.bestGlobalStep = object["best_global_step"] as? Int
        state.bestMetricName = object["metric_for_best_model"] as? String
        state.seed = (object["seed"] as? NSNumber)?.uint64Value ?? 0
        state.forwardCount = (object["forward_count"] as? NSNumber)?.uint64Value ?? 0
        state.evaluationsWithoutImprovement = object["early_stopping_patience_counter"] as? Int ?? 0
        state.totalFlos = number("total_flos") ?? 0
        return state
    }

    /// JSON has no NaN or infinity; write them as null (as Python's json would refuse them too).
    private func sanitized(_ value: Any) -> Any {
        switch value {
        case let number as Double: return number.isFinite ? number : NSNull()
        case let array as [Any]: return array.map(sanitized)
        case let object as [String: Any]: return object.mapValues(sanitized)
        default: return value
        }
    }
}
