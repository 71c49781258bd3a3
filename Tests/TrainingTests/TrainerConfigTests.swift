import DSPrepSupport
import XCTest
@testable import Training

final class TrainerConfigTests: XCTestCase {
    func testYAMLSubsetSectionsCommentsAndTypeKeys() throws {
        let text = """
            # NSMC baseline
            model:
              type: bag          # the section's `type` names the section's setting
              dimension: 64
            optimizer:
              learning_rate: 5e-4
              lr_scheduler_type: "cosine"
            output-dir: 'runs/a # not a comment'
            """
        let entries = try ConfigFile.parse(text, path: "train.yaml")
        XCTAssertEqual(entries.map(\.key), ["model", "dimension", "learning_rate", "lr_scheduler_type", "output_dir"])
        XCTAssertEqual(entries.map(\.value), ["bag", "64", "5e-4", "cosine", "runs/a # not a comment"])
        XCTAssertEqual(entries.map { $0.location.line }, [3, 4, 6, 7, 8])

        var arguments = TrainingArguments()
        for entry in entries { try arguments.set(entry.key, entry.value, at: entry.location) }
        XCTAssertEqual(arguments.model, .bag)
        XCTAssertEqual(arguments.bagDimension, 64)
        XCTAssertEqual(arguments.learningRate, 5e-4)
        XCTAssertEqual(arguments.lrSchedulerType, .cosine)
        XCTAssertEqual(arguments.outputDir, "runs/a # not a comment")
    }

    func testErrorsNameTheLineAndWhatWasExpected() throws {
        XCTAssertThrowsError(try ConfigFile.parse("epochs: 3\nlayers: [1, [2]]\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.yaml:2:"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigFile.parse("just words\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:1"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigFile.parse("epochs: 3\nseed: [1\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.yaml:3:") && "\(error)".contains("not valid YAML"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigFile.parse("seed: 1\nseed: 2\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("appears twice: seed"), "\(error)")
        }
        var layers = TrainingArguments()
        let list = try XCTUnwrap(ConfigFile.parse("layers: [1, 2]\n", path: "t.yaml").first)
        XCTAssertEqual(list.items, ["1", "2"])
        XCTAssertThrowsError(try layers.set(list.key, list.value, at: list.location)) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:1:1: layers expects a whole number"), "\(error)")
        }
        var arguments = TrainingArguments()
        XCTAssertThrowsError(try arguments.set("learning_rat", "1e-3", at: SourceLocation(path: "t.yaml", line: 4))) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:4: unknown setting \"learning_rat\""), "\(error)")
        }
        XCTAssertThrowsError(try arguments.set("batch_size", "big")) { error in
            XCTAssertTrue("\(error)".contains("batch_size expects a whole number"), "\(error)")
        }
        XCTAssertThrowsError(try arguments.set("eval_strategy", "sometimes")) { error in
            XCTAssertTrue("\(error)".contains("epoch, steps, no"), "\(error)")
        }
    }

    func testNumbersAliasesAndValidation() throws {
        var arguments = TrainingArguments()
        try arguments.set("max_steps", "1e3")
        try arguments.set("per_device_train_batch_size", "16")
        try arguments.set("metric_for_best_model", "eval_f1_macro")
        try arguments.set("save-total-limit", "2")
        XCTAssertEqual(arguments.maxSteps, 1000)
        XCTAssertEqual(arguments.batchSize, 16)
        XCTAssertEqual(arguments.metricForBestModel, "f1_macro")
        XCTAssertEqual(arguments.saveTotalLimit, 2)
        XCTAssertTrue(arguments.bestMetric(for: .classification(labels: 2)).greaterIsBetter)
        try arguments.set("metric", "loss")
        XCTAssertFalse(arguments.bestMetric(for: .classification(labels: 2)).greaterIsBetter)
        XCTAssertEqual(TrainingArguments().bestMetric(for: .regression).name, "pearson")
        try arguments.set("eval_strategy", "no")
        try arguments.set("early_stopping_patience", "2")
        XCTAssertThrowsError(try arguments.validate())
    }

    func testCRLFAndJSONConfigsReadLikeYAML() throws {
        let yaml = try ConfigFile.parse("model: bag\r\nlearning_rate: 0.05\r\nepochs: 5\r\n", path: "w.yaml")
        XCTAssertEqual(yaml.map(\.key), ["model", "learning_rate", "epochs"])
        XCTAssertEqual(yaml.map(\.value), ["bag", "0.05", "5"])
        XCTAssertEqual(yaml.map { $0.location.line }, [1, 2, 3])
        let json = try ConfigFile.parse(#"{"model": "bag", "learning_rate": 0.05, "epochs": 5}"#, path: "c.json")
        XCTAssertEqual(json.map(\.key), yaml.map(\.key))
        XCTAssertEqual(json.map(\.value), yaml.map(\.value))
        XCTAssertEqual(try ConfigFile.parse("", path: "e.yaml"), [])
    }

    /// A config written for transformers 5.23's `TrainingArguments` loads: keys without effect
    /// here warn, keys that change training pass only at the values dsprep trains with.
    func testHFTrainingArgumentsKeys() throws {
        let text = """
            output_dir: runs/e5
            per_device_train_batch_size: 32
            learning_rate: 5.0e-5
            warmup_steps: 0.06
            lr_scheduler_type: cosine_with_restarts
            lr_scheduler_kwargs: {num_cycles: 2}
            optim: adamw_torch
            train_sampling_strategy: group_by_length
            label_names: [labels]
            report_to: [none]
            fp16: false
            dataloader_num_workers: 4
            """
        var arguments = TrainingArguments(), warnings: [String] = []
        for entry in try ConfigFile.parse(text, path: "hf.yaml") {
            if let warning = try arguments.set(entry.key, entry.value, at: entry.location) { warnings.append(warning) }
        }
        XCTAssertEqual(arguments.outputDir, "runs/e5")
        XCTAssertEqual(arguments.batchSize, 32)
        XCTAssertEqual(arguments.warmupRatio, 0.06)
        XCTAssertEqual(arguments.warmupSteps, 0)
        XCTAssertEqual(arguments.lrSchedulerType, .cosineWithRestarts)
        XCTAssertEqual(arguments.lrSchedulerCycles, 2)
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings[0].hasPrefix("ignoring report_to") && warnings[0].contains("hf.yaml:10:1"), warnings[0])
        XCTAssertTrue(warnings[1].hasPrefix("ignoring dataloader_num_workers"), warnings[1])

        for (key, value, reason) in [("optim", "adafactor", "AdamW"), ("label_smoothing_factor", "0.1", "smooth"),
                                     ("fp16", "true", "float32"), ("label_names", "label", "`labels` column")] {
            var fresh = TrainingArguments()
            XCTAssertThrowsError(try fresh.set(key, value)) { error in
                XCTAssertTrue("\(error)".contains(key) && "\(error)".contains(reason), "\(error)")
            }
        }
    }
}
