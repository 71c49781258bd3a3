import Foundation
import TestSupport
import XCTest

final class VocabCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private var sample: String { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path }

    func testTrainedVocabularyFeedsTokenizeAndIsDeterministic() throws {
        let first = work.appendingPathComponent("a").path, second = work.appendingPathComponent("b").path
        for (out, threads) in [(first, "1"), (second, "2")] {
            let result = try DSPrepBinary.run(["vocab", "train", "--model", "wordpiece", "--vocab-size", "5000", sample,
                                               "--out", out, "--threads", threads, "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let json = try Data(contentsOf: URL(fileURLWithPath: first + "/tokenizer.json"))
        XCTAssertEqual(json, try Data(contentsOf: URL(fileURLWithPath: second + "/tokenizer.json")), "same bytes whatever the threads")
        let vocab = try String(contentsOfFile: first + "/vocab.txt", encoding: .utf8).split(separator: "\n")
        // HF's WordPieceTrainer gives exactly 5000 here too (below ~2468 the sample's alphabet alone exceeds the size).
        XCTAssertEqual(vocab.count, 5000)
        XCTAssertEqual(Array(vocab.prefix(5)), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])

        let shards = work.appendingPathComponent("shards").path
        let tokenize = try DSPrepBinary.run(["tokenize", sample, "--tokenizer", first + "/tokenizer.json", "--out", shards, "--no-cache"])
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
        XCTAssertTrue(tokenize.stdout.contains("rows 3000"), tokenize.stdout)
    }

    func testMissingTextColumnIsNamed() throws {
        let result = try DSPrepBinary.run(["vocab", "train", "--vocab-size", "100", "--text-column", "body", sample,
                                           "--out", work.appendingPathComponent("x").path, "--quiet"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("body"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x").path))
    }
}
