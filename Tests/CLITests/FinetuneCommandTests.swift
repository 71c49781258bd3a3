import Datasets
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

    /// Pairs encoded separately (`--pair-encoding separate`) fine-tune a bi-encoder end to end:
    /// shards whose pair_input_ids are the second texts' own encodings, a checkpoint that is also a
    /// sentence-transformers folder, evaluate and predict on a raw file (encoded the same way by
    /// the checkpoint's tokenizer), and clear refusals of what cannot be right.
    func testBiEncoderOnSeparatelyEncodedPairs() throws {
        let pairs = [("A man is playing a guitar.", "A man plays the guitar.", "4.8"), ("A woman is slicing an onion.", "A dog runs.", "0.2"),
                     ("Three men are playing chess.", "Two men are playing chess.", "2.6"), ("The cat sits on the mat.", "A cat is on a mat.", "4.2"),
                     ("Stocks fell sharply on Monday.", "Markets dropped on Monday.", "3.9"), ("A boy is riding a bike.", "Clouds are white.", "0.0"),
                     ("Someone is cooking rice.", "A person cooks rice in a pot.", "4.0"), ("A plane is taking off.", "An airplane departs.", "4.6")]
        let file = path("sts.tsv")
        try (["sentence1\tsentence2\tscore"] + pairs.map { "\($0.0)\t\($0.1)\t\($0.2)" }).joined(separator: "\n").appending("\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let tokenize = try DSPrepBinary.run(["tokenize", file, "--tokenizer", model, "--pair-encoding", "separate", "--attention-mask",
                                             "--out", path("bi"), "--no-cache", "--quiet"])
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
        let second = try DSPrepBinary.run(["tokenize", file, "--tokenizer", model, "--text-column", "sentence2", "--no-label",
                                           "--out", path("second"), "--no-cache", "--quiet"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let shards = try Dataset.load(from: path("bi")).table
        XCTAssertEqual(shards.schema.names, ["input_ids", "attention_mask", "pair_input_ids", "pair_attention_mask", "labels", "length"])
        func rows(_ table: Table, _ name: String) throws -> [[Int32]] {
            let index = try XCTUnwrap(table.schema.index(of: name), name)
            return table.batches.flatMap { batch in (0..<batch.count).map { Array(batch.columns[index].listElements($0, as: Int32.self)) } }
        }
        XCTAssertEqual(try rows(shards, "pair_input_ids"), try rows(try Dataset.load(from: path("second")).table, "input_ids"),
                       "each second text is encoded on its own, as tokenizing it alone does")
        XCTAssertEqual(try rows(shards, "input_ids").first?.first, 101, "each text has its own [CLS]")
        let inspect = try DSPrepBinary.run(["inspect", path("bi"), "--rows", "1"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("    pair_input_ids:\n    ids:    101 "), "both texts are shown decoded: \(inspect.stdout)")

        let train = try DSPrepBinary.run(["train", "--model", model, "--train", path("bi"), "--eval", path("bi"),
                                          "--output-dir", path("run"), "--max-steps", "2", "--batch-size", "4", "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("cosine similarity trained against score / 4.8"), train.stdout)
        XCTAssertFalse(train.stdout.contains("newly initialized"), "a bi-encoder has no head: \(train.stdout)")
        let checkpoint = path("run/checkpoint-2")
        for file in ["modules.json", "sentence_bert_config.json", "1_Pooling/config.json", "config_sentence_transformers.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint + "/" + file), file)
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertModel"])
        XCTAssertEqual(config["dsprep_score_scale"] as? Double, 4.8)

        // the raw file through the checkpoint: its pairs are encoded separately too
        let evaluate = try DSPrepBinary.run(["evaluate", checkpoint, file, "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Double])?["pearson"])
        let predict = try DSPrepBinary.run(["predict", checkpoint, file, "--out", path("predictions.csv")])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let predictions = try String(contentsOfFile: path("predictions.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        XCTAssertEqual(predictions.count, pairs.count)
        XCTAssertTrue(predictions.allSatisfy { abs($0) <= 4.8 + 1e-4 }, "a prediction is 4.8 · cosine: \(predictions)")

        // what cannot be right is refused: a joint encoding for the bi-encoder, a separate one for a classifier head
        let joint = try DSPrepBinary.run(["tokenize", file, "--tokenizer", model, "--out", path("joint"), "--no-cache", "--quiet"])
        XCTAssertEqual(joint.status, 0, joint.stderr)
        let mixed = try DSPrepBinary.run(["train", "--model", model, "--train", path("bi"), "--eval", path("joint"),
                                          "--output-dir", path("mixed"), "--max-steps", "1"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.stderr.contains("the training pairs are encoded separately (a bi-encoder), but the evaluation rows are not"), mixed.stderr)
        let cosentOnJoint = try DSPrepBinary.run(["train", "--model", model, "--train", path("joint"), "--similarity-loss", "cosent",
                                                  "--output-dir", path("cosent"), "--max-steps", "1"])
        XCTAssertNotEqual(cosentOnJoint.status, 0)
        XCTAssertTrue(cosentOnJoint.stderr.contains("similarity_loss cosent is a bi-encoder's loss"), cosentOnJoint.stderr)
        let noPair = try DSPrepBinary.run(["tokenize", head("test.tsv", rows: 4), "--tokenizer", model, "--pair-encoding", "separate",
                                           "--out", path("single"), "--no-cache"])
        XCTAssertNotEqual(noPair.status, 0)
        XCTAssertTrue(noPair.stderr.contains("--pair-encoding separate needs a second text"), noPair.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("single")))
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
