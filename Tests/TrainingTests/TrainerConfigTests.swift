import DSPrepSupport
import TestSupport
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

    /// A run starts from its model's recipe: the bag model's and the Transformer's from scratch,
    /// HF's for a pretrained folder; the config overrides the recipe and the flags the config.
    func testDefaultsFitTheModelAndConfigThenFlagsOverride() throws {
        func resolve(_ settings: [(String, String)]) throws -> TrainingArguments {
            try TrainingArguments.resolving(settings.map { ConfigFile.Entry(key: $0.0, value: $0.1, location: SourceLocation(path: "t")) }).arguments
        }
        let bag = try resolve([])
        XCTAssertEqual(bag.model, .bag)
        XCTAssertEqual(bag.learningRate, 5e-3)
        XCTAssertEqual(bag.batchSize, 128)
        XCTAssertEqual(bag.bagDimension, 64)
        XCTAssertEqual(bag.numTrainEpochs, 2)
        XCTAssertEqual(try resolve([("model", "bag")]), bag)
        let transformer = try resolve([("model", "transformer")])
        XCTAssertEqual(transformer.learningRate, 3e-4)
        XCTAssertEqual(transformer.warmupRatio, 0.1)
        XCTAssertEqual(transformer.weightDecay, 0.01)
        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fineTuning = try resolve([("model_name_or_path", folder.path)])
        XCTAssertEqual(fineTuning.recipe, .fineTuning)
        XCTAssertEqual(fineTuning.learningRate, 5e-5)
        XCTAssertEqual(fineTuning.warmupRatio, 0)
        XCTAssertEqual(try resolve([("model", folder.path)]).learningRate, 5e-5)
        // The recipe is the one the last model setting picks, whatever the order.
        XCTAssertEqual(try resolve([("learning_rate", "0.1"), ("model", "transformer")]).learningRate, 0.1)
        XCTAssertEqual(try resolve([("epochs", "7"), ("model", "transformer"), ("lr", "0.2"), ("learning-rate", "0.3")]).learningRate, 0.3)
        XCTAssertEqual(try resolve([("model", "transformer"), ("epochs", "7")]).numTrainEpochs, 7)
    }

    /// Every field is a setting of the table, recorded in training_args.json under its key, and a
    /// recorded file reads back as a config with the same values.
    func testEveryFieldIsASettingAndTheRecordReadsBack() throws {
        var arguments = TrainingArguments(recipe: .transformer)
        for (key, value) in [("model", "transformer"), ("train", "shards/"), ("out", "run/"), ("lr_scheduler_kwargs.num_cycles", "2"),
                             ("greater_is_better", "false"), ("eval_max_rows", "100"), ("freeze_embeddings", "true"), ("seed", "7")] {
            try arguments.set(key, value)
        }
        let fields = Set(Mirror(reflecting: arguments).children.compactMap(\.label).map { label in
            label.reduce(into: "") { $0 += $1.isUppercase ? "_" + $1.lowercased() : String($1) }
        })
        XCTAssertEqual(fields.subtracting(TrainingArguments.settings.map(\.key)), [], "fields without a setting")
        guard case let .object(members) = arguments.record else { return XCTFail("training_args.json is not an object") }
        var reread = TrainingArguments()
        for (key, value) in members { try reread.set(key, value.stringValue ?? value.serialized()) }
        XCTAssertEqual(reread, arguments)
        XCTAssertEqual(arguments.record["learning_rate"], .number(3e-4))
    }

    func testSettingRulesNameTheSettingAndTheValue() throws {
        var arguments = TrainingArguments()
        XCTAssertThrowsError(try arguments.set("batch_size", "0", at: SourceLocation(path: "--batch-size"))) { error in
            XCTAssertEqual("\(error)", "--batch-size: batch_size must be at least 1, got 0")
        }
        XCTAssertThrowsError(try arguments.set("warmup_ratio", "1")) { XCTAssertTrue("\($0)".contains("warmup_ratio must be in [0, 1)"), "\($0)") }
        XCTAssertThrowsError(try arguments.set("lr", "-1")) { XCTAssertTrue("\($0)".contains("lr must be positive, got -1"), "\($0)") }
        arguments.saveTotalLimit = 0
        XCTAssertThrowsError(try arguments.validate()) { XCTAssertTrue("\($0)".contains("save_total_limit must be at least 1"), "\($0)") }
        try arguments.set("dropout", "0.2")
        XCTAssertEqual([arguments.hiddenDropoutProb, arguments.attentionProbsDropoutProb], [0.2, 0.2])
    }
}
