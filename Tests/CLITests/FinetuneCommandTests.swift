import Foundation
import TestSupport
import XCTest

/// `dsprep tokenize --tokenizer MODEL`, `train --model MODEL`, `evaluate` and `predict` on a real
/// pretrained folder (all-MiniLM-L6-v2; skipped without it), and the checkpoint as transformers
/// loads it (with DSPREP_TORCH_PYTHON).
final class FinetuneCommandTests: XCTestCase {
    var folder: URL!
    var model: String!

    override func setUpWithError() throws {
        model = try TestEnvironment.requireModel("all-MiniLM-L6-v2").path
        folder = try TestEnvironment.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample")

    /// The first `rows` reviews of a sample file (debug builds run a 6-layer model slowly).
    func head(_ name: String, rows: Int) throws -> String {
        let lines = try String(contentsOf: Self.sample.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(rows + 1).joined(separator: "\n") + "\n").write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func testFineTuneAFolderAndExportACheckpointTransformersLoads() throws {
        let (trainFile, testFile) = (try head("train.tsv", rows: 48), try head("test.tsv", rows: 16))
        let tokenize = try DSPrepBinary.run(["tokenize", trainFile, testFile, "--tokenizer", model, "--out", path("shards"), "--no-cache"])
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
        XCTAssertTrue(tokenize.stdout.contains("max length 512 from tokenizer_config.json"), tokenize.stdout)

        let train = try DSPrepBinary.run(["train", "--model", model, "--train", path("shards"), "--eval", path("shards"),
                                          "--output-dir", path("run"), "--max-steps", "3", "--batch-size", "8", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("fine-tuning \(model!) (bert, 6 layers, hidden 384)"), train.stdout)
        XCTAssertTrue(train.stdout.contains("newly initialized: classifier.weight, classifier.bias"), train.stdout)
        XCTAssertFalse(train.stdout.contains("not used"), train.stdout)

        let checkpoint = path("run/checkpoint-3")
        for file in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint + "/" + file), file)
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertEqual(config["hidden_act"] as? String, "gelu")
        XCTAssertEqual(config["_name_or_path"] as? String, "nreimers/MiniLM-L6-H384-uncased", "the source config's keys are kept")
        XCTAssertEqual(config["id2label"] as? [String: String], ["0": "0", "1": "1"])

        // a raw file through the checkpoint's own tokenizer, and predictions with every class
        let evaluate = try DSPrepBinary.run(["evaluate", checkpoint, testFile, "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Double])?["accuracy"])
        let predict = try DSPrepBinary.run(["predict", checkpoint, path("shards/test"), "--out", path("predictions.csv")])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let lines = try String(contentsOfFile: path("predictions.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "index,label_id,label,0,1")
        let probabilities = lines.dropFirst().first.map { $0.split(separator: ",").suffix(2).compactMap { Double($0) } } ?? []
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 2e-6)

        let python = try TestEnvironment.requireTorchPython()  // the transformers half of the check
        try JSONSerialization.data(withJSONObject: ["a short review", "a somewhat longer review of a film I did not like"])
            .write(to: URL(fileURLWithPath: path("sentences.json")))
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("tools/oracles/transformers-logits.py").path
        let loaded = try ChildProcess.run(python, [script, checkpoint, path("sentences.json")])
        XCTAssertEqual(loaded.status, 0, loaded.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: loaded.stdoutData) as? [String: Any])
        XCTAssertEqual(report["missing"] as? [String], [])
        XCTAssertEqual(report["unexpected"] as? [String], [])
        XCTAssertEqual(report["warnings"] as? [String], [])
    }

    func testShardsFromAnotherTokenizerAreRefused() throws {
        let shared = try TestEnvironment.requireShared()
        let other = shared.appendingPathComponent("vocab/krbert-char16424.json").path
        let tokenize = try DSPrepBinary.run(["tokenize", Self.sample.appendingPathComponent("test.tsv").path, "--tokenizer", other,
                                             "--out", path("shards"), "--no-cache", "--quiet"])
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
        let train = try DSPrepBinary.run(["train", "--model", model, "--train", path("shards"), "--output-dir", path("run"), "--max-steps", "1"])
        XCTAssertNotEqual(train.status, 0)
        XCTAssertTrue(train.stderr.contains("tokenized with \(other), but the model's tokenizer is \(model!)/tokenizer.json"), train.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("run/checkpoint-1")))

        let typo = try DSPrepBinary.run(["train", "--model", path("no-such-model"), "--train", path("shards"), "--output-dir", path("run")])
        XCTAssertNotEqual(typo.status, 0)
        XCTAssertTrue(typo.stderr.contains("expects bag, transformer or an HF model folder"), typo.stderr)
    }
}
