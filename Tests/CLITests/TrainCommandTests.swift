import Foundation
import TestSupport
import XCTest

/// `dsprep train / evaluate / predict` as a user runs them, on the bundled NSMC sample tokenized
/// with the tokenizer the project ships (vocab/default-tokenizer.json).
final class TrainCommandTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TestEnvironment.temporaryDirectory()
        let result = try SampleShards.tokenize(into: folder.appendingPathComponent("shards").path, maxLength: 64)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func json(_ file: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
    }

    func testConfigFlagsCheckpointsEvaluatePredictAndResume() throws {
        // The config sets 40 steps; the flag overrides it to 12.
        try """
            model:
              type: bag
              dimension: 8
              bigram_buckets: 1000
            learning_rate: 0.05
            max_steps: 40
            batch_size: 32
            eval_strategy: steps
            eval_steps: 6
            logging_steps: 3
            save_total_limit: 1
            """.write(toFile: path("train.yaml"), atomically: true, encoding: .utf8)
        let tokenizer = SampleShards.tokenizer
        let train = try DSPrepBinary.run(["train", "--config", path("train.yaml"), "--train", path("shards"), "--eval", path("shards"),
                                          "--output-dir", path("run"), "--max-steps", "12", "--tokenizer", tokenizer])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("2-class classification (0, 1), 3000 train rows, 1000 eval rows"), train.stdout)
        XCTAssertTrue(train.stdout.contains("eval at step 6") && train.stdout.contains("eval at step 12"), train.stdout)

        let checkpoint = path("run/checkpoint-12")
        for file in ["model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json", "training_args.json",
                     "default-tokenizer.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint + "/" + file), file)
        }
        for file in ["metrics.jsonl", "loss.svg", "metric.svg", "trainer_state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("run/" + file)), file)
        }
        let state = try json(checkpoint + "/trainer_state.json")
        XCTAssertEqual(state["global_step"] as? Int, 12)
        XCTAssertEqual(state["metric_for_best_model"] as? String, "eval_accuracy")
        let best = try XCTUnwrap(state["best_metric"] as? Double)
        let bestStep = try XCTUnwrap(state["best_global_step"] as? Int)
        let history = try XCTUnwrap(state["log_history"] as? [[String: Any]])
        let evaluations = history.filter { $0["eval_accuracy"] != nil }
        XCTAssertEqual(evaluations.map { $0["step"] as? Int }, [6, 12])
        XCTAssertEqual(evaluations.compactMap { $0["eval_accuracy"] as? Double }.max(), best)
        // Retention: the best plus the last one.
        let kept = try FileManager.default.contentsOfDirectory(atPath: path("run")).filter { $0.hasPrefix("checkpoint-") }
        XCTAssertEqual(Set(kept), Set(["checkpoint-\(bestStep)", "checkpoint-12"]))

        // evaluate --json reproduces the logged evaluation of the same checkpoint on the same split.
        let evaluate = try DSPrepBinary.run(["evaluate", checkpoint, path("shards"), "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Double])
        XCTAssertEqual(metrics["accuracy"], evaluations.last?["eval_accuracy"] as? Double)
        XCTAssertNotNil(metrics["f1_macro"])

        // The run's output folder stands for its best checkpoint, as HF's load_best_model_at_end leaves it.
        let viaFolder = try DSPrepBinary.run(["evaluate", path("run"), path("shards"), "--json"])
        XCTAssertEqual(viaFolder.status, 0, viaFolder.stderr)
        XCTAssertTrue(viaFolder.stderr.contains("using checkpoint-\(bestStep), the best checkpoint by eval_accuracy"), viaFolder.stderr)
        let bestMetrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(viaFolder.stdout.utf8)) as? [String: Double])
        XCTAssertEqual(bestMetrics["accuracy"], best)
        // A folder that is neither a checkpoint nor a run's output is refused, naming it.
        let neither = try DSPrepBinary.run(["evaluate", path("shards"), path("shards"), "--json"])
        XCTAssertNotEqual(neither.status, 0)
        XCTAssertTrue(neither.stderr.contains(path("shards")) && neither.stderr.contains("nor the output folder of `dsprep train`"),
                      neither.stderr)

        // A raw TSV is tokenized on the fly with the checkpoint's tokenizer copy: the same metrics.
        let raw = try DSPrepBinary.run(["evaluate", checkpoint, TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/test.tsv").path,
                                        "--max-length", "64", "--json"])
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Double], metrics)

        let predict = try DSPrepBinary.run(["predict", checkpoint, path("shards/test"), "--out", path("predictions.csv")])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = try String(contentsOfFile: path("predictions.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "index,label_id,label,0,1")
        XCTAssertEqual(lines.count, 1001)
        // The predictions' accuracy against the test labels is the evaluation's.
        let labels = try String(contentsOfFile: TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/test.tsv").path,
                                encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: "\t").last.map(String.init) }
        let predicted = lines.dropFirst().map { $0.split(separator: ",")[2] }
        let correct = zip(predicted, labels).filter { $0.0 == $0.1 ?? "" }.count
        XCTAssertEqual(Double(correct) / 1000, metrics["accuracy"] ?? -1, accuracy: 1e-12)

        // Resume from the last checkpoint for 3 more steps, into a new folder.
        let resume = try DSPrepBinary.run(["train", "--config", path("train.yaml"), "--train", path("shards"), "--eval", path("shards"),
                                           "--output-dir", path("resumed"), "--max-steps", "15", "--vocab-size", "16000",
                                           "--resume-from-checkpoint", checkpoint])
        XCTAssertEqual(resume.status, 0, resume.stderr)
        XCTAssertTrue(resume.stdout.contains("resuming from \(checkpoint) at step 12"), resume.stdout)
        let resumed = try json(path("resumed/checkpoint-15/trainer_state.json"))
        XCTAssertEqual(resumed["global_step"] as? Int, 15)
        let resumedEvaluations = try XCTUnwrap(resumed["log_history"] as? [[String: Any]]).filter { $0["eval_accuracy"] != nil }
        XCTAssertEqual(resumedEvaluations.map { $0["step"] as? Int }, [6, 12, 15])
    }

    func testBadSettingsNameTheFileLineOrFlag() throws {
        try "model: bag\nlearning_rat: 0.1\n".write(toFile: path("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try DSPrepBinary.run(["train", "--config", path("bad.yaml"), "--train", path("shards"), "--output-dir", path("run")])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:2:1: unknown setting \"learning_rat\""), bad.stderr)

        let flag = try DSPrepBinary.run(["train", "--train", path("shards"), "--output-dir", path("run"), "--batch-size", "many"])
        XCTAssertNotEqual(flag.status, 0)
        XCTAssertTrue(flag.stderr.contains("--batch-size: batch_size expects a whole number"), flag.stderr)

        let task = try DSPrepBinary.run(["train", "--train", path("shards"), "--output-dir", path("run"), "--task", "regression"])
        XCTAssertNotEqual(task.status, 0)
        XCTAssertTrue(task.stderr.contains("does not fit the labels"), task.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("run/checkpoint-1")))
    }

    /// save_only_model leaves the optimizer state out of checkpoints and changes nothing that is
    /// trained; such a checkpoint is refused for resuming (HF's Trainer would resume it with fresh
    /// AdamW moments, which is not the run continued).
    func testSaveOnlyModelCheckpointsTrainAlikeAndAreNotResumed() throws {
        let tiny = ["--model", "transformer", "--layers", "1", "--hidden", "16", "--heads", "2", "--ffn", "32",
                    "--max-position-embeddings", "64", "--max-steps", "3", "--quiet"]
        for (name, extra) in [("full", []), ("only-model", ["--save-only-model"])] {
            let train = try DSPrepBinary.run(["train", "--train", path("shards"), "--out", path(name)] + tiny + extra)
            XCTAssertEqual(train.status, 0, train.stderr)
        }
        let full = path("full/checkpoint-3"), onlyModel = path("only-model/checkpoint-3")
        XCTAssertTrue(FileManager.default.fileExists(atPath: full + "/optimizer.safetensors"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: onlyModel + "/optimizer.safetensors"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: onlyModel + "/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: full + "/model.safetensors")))
        XCTAssertEqual(try json(onlyModel + "/training_args.json")["save_only_model"] as? Bool, true)

        let resume = try DSPrepBinary.run(["train", "--train", path("shards"), "--out", path("resumed"),
                                           "--resume-from-checkpoint", onlyModel] + tiny)
        XCTAssertNotEqual(resume.status, 0)
        XCTAssertTrue(resume.stderr.contains("\(onlyModel): no optimizer.safetensors to resume from"), resume.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("resumed/checkpoint-3")))
    }

    /// `--model` alone picks the model's recipe (the bag model's learning rate is 5e-3, the
    /// Transformer's 3e-4), flags override it, and training_args.json records what was used.
    func testDefaultsFitTheModelAndTrainingArgsRecordsThem() throws {
        let tiny = ["--layers", "1", "--hidden", "16", "--heads", "2", "--ffn", "32", "--max-position-embeddings", "64"]
        for (model, extra, rate, batch) in [("bag", [], 0.005, 128), ("transformer", tiny, 0.0003, 32), ("bag", ["--lr", "0.1"], 0.1, 128)] {
            let out = path("run-\(model)-\(rate)")
            let train = try DSPrepBinary.run(["train", "--train", path("shards"), "--out", out, "--model", model, "--max-steps", "1", "--quiet"] + extra)
            XCTAssertEqual(train.status, 0, train.stderr)
            let recorded = try json(out + "/checkpoint-1/training_args.json")
            XCTAssertEqual(recorded["learning_rate"] as? Double, rate, model)
            XCTAssertEqual(recorded["batch_size"] as? Int, batch, model)
            XCTAssertEqual(recorded["model"] as? String, model)
        }
    }

    /// Without --tokenizer, training takes the tokenizer the shards record; the checkpoint carries
    /// it, so a raw file can be evaluated. Once that tokenizer changes, it is not used.
    func testTheTokenizerTravelsFromTheShardsIntoTheCheckpoint() throws {
        let train = try DSPrepBinary.run(["train", "--train", path("shards"), "--out", path("run"), "--max-steps", "2"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("tokenizer \(SampleShards.tokenizer), as recorded in the training shards"), train.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("run/checkpoint-2/default-tokenizer.json")))
        let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/test.tsv").path
        let raw = try DSPrepBinary.run(["evaluate", path("run"), sample, "--max-length", "64", "--json"])
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertTrue(raw.stderr.contains("using checkpoint-2, the newest checkpoint"), raw.stderr)

        // A copy of the shards whose recorded tokenizer has changed since.
        let changed = path("changed-tokenizer.json")
        try FileManager.default.copyItem(atPath: SampleShards.tokenizer, toPath: changed)
        let result = try SampleShards.tokenize(into: path("shards2"), maxLength: 64, tokenizer: changed)
        XCTAssertEqual(result.status, 0, result.stderr)
        try (String(contentsOfFile: changed, encoding: .utf8) + " ").write(toFile: changed, atomically: true, encoding: .utf8)
        let stale = try DSPrepBinary.run(["train", "--train", path("shards2"), "--out", path("run2"), "--max-steps", "1"])
        XCTAssertEqual(stale.status, 0, stale.stderr)
        XCTAssertTrue(stale.stdout.contains("note: the training shards were tokenized with \(changed), which has changed"), stale.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("run2/checkpoint-1/changed-tokenizer.json")))
    }

    func testDatasetOperationsKeepTheTokenizerRecord() throws {
        let split = try DSPrepBinary.run(["dataset", "split", path("shards"), "--split", "train", "--test-size", "20", "--out", path("dev")])
        XCTAssertEqual(split.status, 0, split.stderr)
        let train = try DSPrepBinary.run(["train", "--train", path("dev"), "--eval", path("dev"), "--out", path("run"), "--max-steps", "1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("tokenizer \(SampleShards.tokenizer), as recorded in the training shards"), train.stdout)

        // a derived folder is no tokenize shard: merge refuses it
        let shard = try DSPrepBinary.run(["dataset", "shard", path("dev"), "--split", "train", "--num-shards", "2", "--shard-index", "0",
                                          "--out", path("half")])
        XCTAssertEqual(shard.status, 0, shard.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("half/dsprep-tokenize-summary.json")))
        let merge = try DSPrepBinary.run(["merge", path("half"), path("half"), "--out", path("merged")])
        XCTAssertNotEqual(merge.status, 0)
        XCTAssertTrue(merge.stderr.contains("not a shard folder"), merge.stderr)

        // ids of two tokenizers are not concatenated
        let vocabulary = path("vocab.txt")
        try TinyVocabulary.write(to: vocabulary)
        let tiny = try SampleShards.tokenize(into: path("tiny"), maxLength: 64, tokenizer: vocabulary)
        XCTAssertEqual(tiny.status, 0, tiny.stderr)
        let concat = try DSPrepBinary.run(["dataset", "concat", path("half"), path("tiny/test"), "--out", path("mixed")])
        XCTAssertNotEqual(concat.status, 0)
        XCTAssertTrue(concat.stderr.contains("it was tokenized with \(vocabulary), but \(path("half")) with \(SampleShards.tokenizer)"),
                      concat.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("mixed")))
        let same = try DSPrepBinary.run(["dataset", "concat", path("half"), path("shards/test"), "--out", path("joined")])
        XCTAssertEqual(same.status, 0, same.stderr)
        let trainJoined = try DSPrepBinary.run(["train", "--train", path("joined"), "--out", path("run2"), "--max-steps", "1"])
        XCTAssertTrue(trainJoined.stdout.contains("as recorded in the training shards"), trainJoined.stdout)
    }
}
