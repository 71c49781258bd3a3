import Foundation
import TestSupport
import XCTest

/// `dsprep tokenize --tokenizer DIR` and `train --model DIR` on a DistilBERT folder (the tiny
/// random one of the fine-tuning fixtures, with its WordPiece tokenizer): DistilBERT's config
/// keys, no token types, and a checkpoint whose config.json is DistilBERT's again, which
/// transformers loads without warnings (with DSPREP_TORCH_PYTHON).
final class DistilBertCommandTests: XCTestCase {
    static let model = TestEnvironment.repositoryRoot
        .appendingPathComponent("Tests/TrainingTests/Fixtures/finetune/distilbert-classification").path
    var folder: URL!

    override func setUpWithError() throws { folder = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    // words of the fixture tokenizer's vocabulary; three classes, as the fixture's head has
    static let reviews = ["i loved this film", "the plot was boring", "it was a movie", "great music and a funny story",
                          "i hated the ending", "the actor was in a film", "best film of the year", "awful acting and a slow story",
                          "we watched it twice", "really good kids movie", "too long and too sad", "they saw it once"]

    /// Writes the reviews as a TSV file and tokenizes it into `shards/`; returns the TSV's path.
    func tokenizeReviews() throws -> String {
        let file = path("reviews.tsv")
        try (["text\tlabel"] + Self.reviews.enumerated().map { "\($0.element)\t\([2, 0, 1][$0.offset % 3])" }).joined(separator: "\n")
            .appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        let tokenize = try DSPrepBinary.run(["tokenize", file, "--tokenizer", Self.model, "--out", path("shards"), "--no-cache", "--quiet"])
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
        return file
    }

    func testFineTuneADistilBertFolderAndExportACheckpointTransformersLoads() throws {
        let reviews = Self.reviews
        let file = try tokenizeReviews()

        let train = try DSPrepBinary.run(["train", "--model", Self.model, "--train", path("shards"), "--output-dir", path("run"),
                                          "--max-steps", "2", "--batch-size", "6", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("fine-tuning \(Self.model) (distilbert, 2 layers, hidden 32)"), train.stdout)
        XCTAssertFalse(train.stdout.contains("newly initialized"), "the fixture has a 3-class head: \(train.stdout)")

        let checkpoint = path("run/checkpoint-2")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["DistilBertForSequenceClassification"])
        XCTAssertEqual(config["dim"] as? Int, 32)
        XCTAssertEqual(config["n_layers"] as? Int, 2)
        XCTAssertNil(config["hidden_size"], "DistilBERT's own keys only")
        XCTAssertNil(config["type_vocab_size"])

        let evaluate = try DSPrepBinary.run(["evaluate", checkpoint, file, "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Double])?["accuracy"])

        let python = try TestEnvironment.requireTorchPython()  // the transformers half of the check
        try JSONSerialization.data(withJSONObject: Array(reviews.prefix(3))).write(to: URL(fileURLWithPath: path("sentences.json")))
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("tools/oracles/transformers-logits.py").path
        let loaded = try ChildProcess.run(python, [script, checkpoint, path("sentences.json")])
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: loaded.stdoutData) as? [String: Any])
        XCTAssertEqual(report["architecture"] as? String, "DistilBertForSequenceClassification")
        XCTAssertEqual(report["missing"] as? [String], [])
        XCTAssertEqual(report["unexpected"] as? [String], [])
        XCTAssertEqual(report["warnings"] as? [String], [])
    }

    /// Dropouts given for a fine-tune replace the folder's (as keyword arguments to from_pretrained
    /// do) and reach the checkpoint's config under DistilBERT's names; a shape setting that differs
    /// from the folder's config is refused, naming the flag, instead of being ignored.
    func testDropoutSettingsReplaceTheFoldersAndShapeSettingsMustFitIt() throws {
        _ = try tokenizeReviews()
        let folderConfig = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.model + "/config.json"))) as? [String: Any])
        XCTAssertNotEqual(folderConfig["dropout"] as? Double, 0, "the fixture must have dropout for this test to mean anything")
        let train = try DSPrepBinary.run(["train", "--model", Self.model, "--train", path("shards"), "--output-dir", path("run"),
                                          "--max-steps", "1", "--batch-size", "6", "--dropout", "0", "--layers", "2", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("run/checkpoint-1/config.json")))) as? [String: Any])
        XCTAssertEqual(config["dropout"] as? Double, 0)
        XCTAssertEqual(config["attention_dropout"] as? Double, 0)
        XCTAssertEqual(config["seq_classif_dropout"] as? Double, folderConfig["seq_classif_dropout"] as? Double, "the head's own dropout stays")
        // training_args.json records the dropouts and none of the from-scratch shape, and reads back as a config.
        let argumentsFile = path("run/checkpoint-1/training_args.json")
        let recorded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: argumentsFile))) as? [String: Any])
        XCTAssertEqual(recorded["hidden_dropout_prob"] as? Double, 0)
        XCTAssertEqual(recorded["model_name_or_path"] as? String, Self.model)
        XCTAssertNil(recorded["num_hidden_layers"] ?? recorded["model"] ?? recorded["hidden_size"], "\(recorded)")
        let again = try DSPrepBinary.run(["train", "--config", argumentsFile, "--output-dir", path("run2"), "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("run2/checkpoint-1/model.safetensors"))),
                       try Data(contentsOf: URL(fileURLWithPath: path("run/checkpoint-1/model.safetensors"))))

        let shaped = try DSPrepBinary.run(["train", "--model", Self.model, "--train", path("shards"), "--output-dir", path("run3"),
                                           "--max-steps", "1", "--layers", "3", "--quiet"])
        XCTAssertNotEqual(shaped.status, 0)
        XCTAssertTrue(shaped.stderr.contains("--layers: num_hidden_layers 3 does not fit the model being fine-tuned, whose \(Self.model)/config.json has num_hidden_layers 2"),
                      shaped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("run3/checkpoint-1")))
    }
}
