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

    func testCRLFLinesAreLines() throws {
        let entries = try ConfigFile.parse("model: bag\r\nlearning_rate: 0.05\r\n\r\nmax_steps: 12\r\n", path: "train.yaml")
        XCTAssertEqual(entries.map(\.key), ["model", "learning_rate", "max_steps"])
        XCTAssertEqual(entries.map(\.value), ["bag", "0.05", "12"])
        XCTAssertEqual(entries.map { $0.location.line }, [1, 2, 4])
    }

    func testErrorsNameTheLineAndWhatWasExpected() {
        XCTAssertThrowsError(try ConfigFile.parse("epochs: 3\nlayers: [1, 2]\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("t.yaml:2:"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigFile.parse("just words\n", path: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:1"), "\(error)")
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
}
