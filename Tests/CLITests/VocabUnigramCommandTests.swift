import Foundation
import TestSupport
import XCTest

/// `dsprep vocab train --model unigram`: a sentencepiece .model and its tokenizer.json in the output
/// folder (or just the .model at a .model path), the same bytes whatever the thread count, usable
/// by `dsprep encode`; bad options fail without output.
final class VocabUnigramCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private var sample: String { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path }

    func testTrainsADeterministicModelThatEncodes() throws {
        let folder = work.appendingPathComponent("a").path, file = work.appendingPathComponent("b.model").path
        for (out, threads) in [(folder, "1"), (file, "2")] {
            let result = try DSPrepBinary.run(["vocab", "train", "--model", "unigram", "--vocab-size", "2000", "--text-column", "document",
                                               sample, "--out", out, "--threads", threads, "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let model = try Data(contentsOf: URL(fileURLWithPath: folder + "/tokenizer.model"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/tokenizer.json"))
        XCTAssertEqual(model, try Data(contentsOf: URL(fileURLWithPath: file)), "same bytes whatever the threads")
        let encode = try DSPrepBinary.run(["encode", "--tokenizer", file, "--output-format", "piece"], stdin: "이 영화 정말 재밌어요\n")
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stdout.contains("▁영화 "), encode.stdout)
    }

    func testBadOptionsFailWithoutOutput() throws {
        let out = work.appendingPathComponent("x").path
        for extra in [["--normalization", "nfkd"], ["--character-coverage", "0.5"], ["--vocab-size", "20"]] {
            var arguments = ["vocab", "train", "--model", "unigram", "--vocab-size", "1000", sample, "--out", out, "--quiet"]
            arguments += extra
            let result = try DSPrepBinary.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(extra)")
            XCTAssertFalse(result.stderr.isEmpty)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(extra)")
        }
    }
}
