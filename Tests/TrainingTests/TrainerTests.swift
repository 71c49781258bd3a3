import Foundation
import XCTest
@testable import Training

/// The loop end to end on a small separable task (class 0 rows use ids 3...10, class 1 rows
/// ids 11...18): checkpoints, trainer_state.json, retention, early stopping, exact resume.
final class TrainerTests: XCTestCase {
    var output: String!

    override func setUpWithError() throws {
        output = NSTemporaryDirectory() + "trainer-tests-" + UUID().uuidString
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: output)
    }

    /// Rows [1, tokens..., 2] of 1–6 class tokens; a small LCG keeps them the same on every run.
    static func rows(count: Int, seed: UInt64) -> LabelledRows<TokenRowArray> {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var ids = TokenRowArray(), labels: [Int32] = [], lengths: [Int] = []
        for _ in 0..<count {
            let label = next(2)
            let body = (0...next(6)).map { _ in Int32(3 + label * 8 + next(8)) }
            ids.append([1] + body + [2])
            labels.append(Int32(label))
            lengths.append(body.count + 2)
        }
        return LabelledRows(inputIds: ids, labels: .classes(labels), lengths: lengths, labelNames: ["neg", "pos"], source: "synthetic")
    }

    func arguments(_ settings: [String: String]) throws -> TrainingArguments {
        var arguments = TrainingArguments()
        let base = ["output_dir": output!, "model": "bag", "bag_dimension": "8", "bigram_buckets": "64", "batch_size": "16",
                    "learning_rate": "0.1", "logging_steps": "5"]
        for (key, value) in base.merging(settings, uniquingKeysWith: { _, new in new }) { try arguments.set(key, value) }
        return arguments
    }

    func train(_ settings: [String: String], train: LabelledRows<TokenRowArray> = rows(count: 160, seed: 1),
               eval: LabelledRows<TokenRowArray>? = rows(count: 48, seed: 2)) throws -> (Trainer<TokenRowArray>, Trainer<TokenRowArray>.Outcome) {
        let trainer = try Trainer(arguments: try arguments(settings), train: train, eval: eval, task: .classification(labels: 2),
                                  vocabSize: 20, quiet: true, print: { _ in })
        return (trainer, try trainer.run())
    }

    func checkpoints() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasPrefix("checkpoint-") }.sorted()
    }

    func testCheckpointsStateAndLogs() throws {
        let (_, outcome) = try train(["num_train_epochs": "2"])
        XCTAssertEqual(outcome.state.globalStep, 20)  // 160 rows / 16 per batch × 2 epochs
        XCTAssertEqual(checkpoints(), ["checkpoint-10", "checkpoint-20"])
        let folder = output + "/checkpoint-20/"
        for file in ["model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json", "training_args.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + file), file)
        }
        let state = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "trainer_state.json"))) as? [String: Any])
        XCTAssertEqual(state["global_step"] as? Int, 20)
        XCTAssertEqual(state["max_steps"] as? Int, 20)
        XCTAssertNotNil(state["best_metric"] as? Double)
        XCTAssertNotNil(state["best_model_checkpoint"] as? String)
        let history = try XCTUnwrap(state["log_history"] as? [[String: Any]])
        XCTAssertEqual(history.filter { $0["eval_accuracy"] != nil }.map { $0["step"] as? Int }, [10, 20])
        XCTAssertEqual(history.filter { $0["loss"] != nil }.map { $0["step"] as? Int }, [5, 10, 15, 20])
        XCTAssertTrue(history.allSatisfy { $0["epoch"] != nil })
        XCTAssertGreaterThan(outcome.state.bestMetric ?? 0, 0.9, "the task is separable")

        let lines = try String(contentsOfFile: output + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, history.count)
        let svg = try String(contentsOfFile: output + "/loss.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("<polyline"))

        // The saved model reloads with its labels and gives the metrics the run logged.
        let (model, names) = try ModelFiles.load(from: output + "/checkpoint-20")
        XCTAssertEqual(names, ["neg", "pos"])
        let metrics = try evaluate(model: model, rows: Self.rows(count: 48, seed: 2), batchSize: 64, collator: Collator())
        XCTAssertEqual(metrics["accuracy"], history.last { $0["eval_accuracy"] != nil }?["eval_accuracy"] as? Double)
    }

    func testRetentionKeepsTheBestPlusTheLastN() throws {
        // lower-is-better on accuracy makes the first evaluation the best; with limit 1 it must survive.
        let (_, outcome) = try train(["num_train_epochs": "4", "metric": "accuracy", "greater_is_better": "false", "save_total_limit": "1"])
        XCTAssertEqual(outcome.state.bestGlobalStep, 10)
        XCTAssertEqual(checkpoints(), ["checkpoint-10", "checkpoint-40"])
    }

    func testBestIsTrackedWithoutSavingAndEarlyStoppingNeedsOnlyPatience() throws {
        // Accuracy reaches 1 and cannot improve after: patience 2 stops two evaluations later.
        let (_, outcome) = try train(["num_train_epochs": "30", "eval_strategy": "steps", "eval_steps": "5",
                                      "early_stopping_patience": "2", "save_total_limit": "1"])
        XCTAssertEqual(outcome.stopReason, "early stopping")
        let best = try XCTUnwrap(outcome.state.bestGlobalStep)
        XCTAssertEqual(outcome.state.globalStep, best + 10)
        XCTAssertEqual(outcome.state.bestMetric, 1)
        XCTAssertEqual(Set(checkpoints()), ["checkpoint-\(best)", "checkpoint-\(best + 10)"])
    }

    func testMaxTimeStopsCleanlyWithAnEvaluatedCheckpoint() throws {
        // 60 ns: the deadline has passed after the first step (0.6 ms did not always: a warm step of
        // this tiny bag model can be faster).
        let (_, outcome) = try train(["num_train_epochs": "5", "max_time": "1e-9"])
        XCTAssertEqual(outcome.stopReason, "max_time")
        XCTAssertEqual(outcome.state.globalStep, 1)
        XCTAssertEqual(checkpoints(), ["checkpoint-1"])
        XCTAssertEqual(outcome.state.bestGlobalStep, 1)
    }

    func testRegressionOnPairsTracksPearson() throws {
        // target = share of "high" ids (11...18) in the row; pairs carry segment ids 0/1.
        let rows = Self.rows(count: 200, seed: 3)
        var types = TokenRowArray(), targets: [Float] = []
        for row in 0..<rows.rowCount {
            rows.inputIds.withRow(row) { ids in
                types.append(ids.indices.map { Int32($0 < ids.count / 2 ? 0 : 1) })
                targets.append(Float(ids.filter { $0 >= 11 }.count) / Float(ids.count))
            }
        }
        let data = LabelledRows(inputIds: rows.inputIds, tokenTypeIds: types, labels: .values(targets), lengths: rows.lengths, source: "synthetic")
        XCTAssertEqual(data.inferredTask, .regression)
        var arguments = try arguments(["num_train_epochs": "4", "model": "transformer", "layers": "1", "hidden": "16", "heads": "2",
                                       "ffn": "32", "max_position_embeddings": "16", "learning_rate": "0.003", "dropout": "0"])
        arguments.evalStrategy = .epoch
        let trainer = try Trainer(arguments: arguments, train: data, eval: data, task: .regression, vocabSize: 20, quiet: true, print: { _ in })
        let outcome = try trainer.run()
        XCTAssertEqual(outcome.state.bestMetricName, "eval_pearson")
        XCTAssertGreaterThan(outcome.state.bestMetric ?? 0, 0.8)
        let evaluations = outcome.state.logHistory.filter { $0["eval_pearson"] != nil }
        XCTAssertEqual(evaluations.count, 4)
        XCTAssertTrue(evaluations.allSatisfy { $0["eval_spearman"] != nil && $0["eval_mse"] != nil })
        let (model, names) = try ModelFiles.load(from: output + "/checkpoint-\(outcome.state.globalStep)")
        XCTAssertEqual(model.task, .regression)
        XCTAssertNil(names)
    }

    func testResumeContinuesFromTheStepBitExactly() throws {
        // A Transformer, so dropout's stream counter has to be restored too.
        let tiny = ["num_train_epochs": "3", "model": "transformer", "layers": "1", "hidden": "8", "heads": "2",
                    "ffn": "16", "max_position_embeddings": "16", "learning_rate": "0.01"]
        let (straight, _) = try train(tiny)
        let expected = Array(UnsafeBufferPointer(start: straight.model.parameters.values.pointer, count: straight.model.parameters.count))

        let resumedOutput = output + "/resumed"
        let (resumed, outcome) = try train(tiny.merging(["resume_from_checkpoint": output + "/checkpoint-10",
                                                         "output_dir": resumedOutput]) { _, new in new })
        XCTAssertEqual(outcome.state.globalStep, 30)
        let actual = Array(UnsafeBufferPointer(start: resumed.model.parameters.values.pointer, count: resumed.model.parameters.count))
        XCTAssertEqual(actual, expected)
        XCTAssertEqual(outcome.state.logHistory.filter { $0["eval_accuracy"] != nil }.map { $0["step"] }, [10, 20, 30])
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: resumedOutput)) ?? []).filter { $0.hasPrefix("checkpoint-") }.sorted()
        XCTAssertEqual(written, ["checkpoint-20", "checkpoint-30"])
    }
}
