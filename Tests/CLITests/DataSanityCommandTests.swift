import Foundation
import TestSupport
import XCTest

/// 0-row inputs work end to end (and are a clear error where 0 rows make no sense), and training
/// data is checked, never silently reinterpreted: class counts, labels outside the ClassLabel,
/// non-finite scores, duplicate column names, prediction without labels, merging foreign shards.
final class DataSanityCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try TestEnvironment.temporaryDirectory()
        try TinyVocabulary.write(to: path("vocab.txt"))
        try TinyVocabulary.write(to: path("other-vocab.txt"), tokens: Array(TinyVocabulary.tokens.dropLast()))
        try write(table(header: "document\tlabel", count: 40) { ["영화가 좋다.", "별로"][$0 % 2] + "\t\($0 % 2)" }, "reviews.tsv")
        try write("document\tlabel\n", "header-only.tsv")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    private func write(_ text: String, _ name: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    private func table(header: String, count: Int, row: (Int) -> String) -> String {
        ([header] + (0..<count).map(row)).joined(separator: "\n") + "\n"
    }

    @discardableResult
    private func run(_ arguments: [String], succeeds: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try DSPrepBinary.run(arguments, environment: ["DSPREP_CACHE": path("cache")])
        if succeeds {
            XCTAssertEqual(result.status, 0, "\(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        } else {
            XCTAssertNotEqual(result.status, 0, "\(arguments.joined(separator: " ")) should fail: \(result.stdout)", file: file, line: line)
            XCTAssertFalse(result.stderr.contains("NSCocoaErrorDomain") || result.stderr.contains(".tmp-"), result.stderr, file: file, line: line)
        }
        return result
    }

    private func tokenize(_ input: String, _ out: String, _ extra: [String] = []) throws -> ProcessResult {
        try run(["tokenize", path(input), "--tokenizer", path("vocab.txt"), "--out", path(out)] + extra)
    }

    private func trainBag(_ train: String, eval: String? = nil, out: String, succeeds: Bool = true) throws -> ProcessResult {
        try run(["train", "--train", path(train), "--output-dir", path(out), "--model", "bag", "--dimension", "4", "--bigram-buckets", "0",
                 "--max-steps", "2", "--tokenizer", path("vocab.txt"), "--quiet"] + (eval.map { ["--eval", path($0)] } ?? []), succeeds: succeeds)
    }

    // MARK: - 0 rows

    func testZeroRowInputsAndShardsWorkEndToEnd() throws {
        XCTAssertTrue(try tokenize("header-only.tsv", "empty").stdout.contains("rows 0"))
        XCTAssertTrue(try run(["inspect", path("empty")]).stdout.contains("0 rows"))
        // 2 rows in 3 shards: the last gets none.
        try write(table(header: "document\tlabel", count: 2) { "영화\t\($0)" }, "two.tsv")
        for index in 0..<3 { try tokenize("two.tsv", "part\(index)", ["--num-shards", "3", "--shard-index", "\(index)"]) }
        XCTAssertTrue(try run(["inspect", path("part2")]).stdout.contains("0 rows"))
        XCTAssertTrue(try run(["merge", path("part0"), path("part1"), path("part2"), "--out", path("merged")]).stdout.contains("2 rows"))
        for operation in [["shuffle"], ["head", "-n", "0"], ["shard", "--num-shards", "2", "--index", "1"]] {
            try run(["dataset"] + operation + [path("empty"), "--out", path("op-" + operation[0])])
        }
        try tokenize("reviews.tsv", "shards")
        try trainBag("shards", out: "run")
        let predicted = try run(["predict", path("run/checkpoint-2"), path("empty"), "--out", path("empty.csv")])
        XCTAssertTrue(predicted.stdout.contains("0 predictions"), predicted.stdout)
        XCTAssertEqual(try String(contentsOfFile: path("empty.csv"), encoding: .utf8), "index,label_id,label,0,1\n")  // a probability per class
    }

    func testEmptyEvalSetsAndEvaluatingNoRowsAreErrors() throws {
        try tokenize("reviews.tsv", "shards")
        try tokenize("header-only.tsv", "empty")
        let training = try trainBag("shards", eval: "empty", out: "run", succeeds: false)
        XCTAssertTrue(training.stderr.contains("the evaluation data has no rows") && training.stderr.contains(path("empty")), training.stderr)
        try trainBag("shards", out: "run")
        let evaluation = try run(["evaluate", path("run/checkpoint-2"), path("empty")], succeeds: false)
        XCTAssertTrue(evaluation.stderr.contains("no rows to evaluate"), evaluation.stderr)
    }

    // MARK: - Labels

    func testOneClassDataIsRefused() throws {
        try write(table(header: "document\tlabel", count: 10) { _ in "영화\tpos" }, "one-class.tsv")
        try tokenize("one-class.tsv", "one")
        let result = try trainBag("one", out: "run", succeeds: false)
        XCTAssertTrue(result.stderr.contains("at least 2 classes") && result.stderr.contains("pos"), result.stderr)
        // Integer labels 0...1 where every row is 1: the ClassLabel has two names, the data one class.
        try write(table(header: "document\tlabel", count: 10) { _ in "영화\t1" }, "ones.tsv")
        try tokenize("ones.tsv", "ones")
        XCTAssertTrue(try trainBag("ones", out: "run2", succeeds: false).stderr.contains("at least 2 classes"))
    }

    func testLabelsOutsideTheClassLabelAreRefused() throws {
        try write(table(header: "document\tlabel", count: 12) { "영화\t\(["a", "b", "c"][$0 % 3])" }, "three.tsv")
        try tokenize("three.tsv", "shards")
        // Cut the ClassLabel to two names: rows labelled c (id 2) now lie outside it.
        let info = path("shards/dataset_info.json")
        let text = try String(contentsOfFile: info, encoding: .utf8)
        try text.replacingOccurrences(of: #",\s*"c""#, with: "", options: .regularExpression)
            .write(toFile: info, atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try String(contentsOfFile: info, encoding: .utf8), text, "the fixture edit applied")
        let result = try trainBag("shards", out: "run", succeeds: false)
        XCTAssertTrue(result.stderr.contains("outside the ClassLabel"), result.stderr)
    }

    func testNonFiniteOrEmptyScoresAreErrorsAtTheirLine() throws {
        for (name, bad) in [("nan", "NaN"), ("lower-nan", "nan"), ("inf", "inf"), ("empty", "")] {
            try write("sentence\tscore\n영화\t0.5\n별로\t1.25\n좋다\t\(bad)\n영화\t2.0\n", name + ".tsv")
            let result = try run(["tokenize", path(name + ".tsv"), "--tokenizer", path("vocab.txt"), "--out", path(name)], succeeds: false)
            XCTAssertTrue(result.stderr.contains(path(name + ".tsv") + ":4:"), "\(name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("finite"), "\(name): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), name)
        }
    }

    func testPredictIgnoresLabels() throws {
        try tokenize("reviews.tsv", "shards")
        try trainBag("shards", out: "run")
        try write(table(header: "document\tlabel", count: 3) { ["영화\t-1", "별로\tunknown", "좋다\t"][$0] }, "test.tsv")
        let raw = try run(["predict", path("run/checkpoint-2"), path("test.tsv"), "--out", path("raw.csv")])
        XCTAssertTrue(raw.stdout.contains("3 predictions"), raw.stdout)
        try write(table(header: "document\tlabel", count: 3) { "영화\t\(["x", "y", "z"][$0])" }, "foreign.tsv")
        try tokenize("foreign.tsv", "foreign")
        XCTAssertTrue(try run(["predict", path("run/checkpoint-2"), path("foreign"), "--out", path("foreign.csv")]).stdout.contains("3 predictions"))
    }

    func testMaxLengthBelowTheSpecialTokensIsRefused() throws {
        for length in ["1", "2"] {
            let result = try run(["tokenize", path("reviews.tsv"), "--tokenizer", path("vocab.txt"), "--out", path("short"),
                                  "--max-length", length], succeeds: false)
            XCTAssertTrue(result.stderr.contains("at least 3"), result.stderr)
        }
        XCTAssertTrue(try tokenize("reviews.tsv", "short", ["--max-length", "3"]).stdout.contains("truncated rows 20"))
    }

    // MARK: - Columns and merge

    func testDuplicateColumnNamesAreRefusedAtWriteTime() throws {
        try run(["ingest", path("reviews.tsv"), "--out", path("ds")])
        let select = try run(["dataset", "select", path("ds"), "--columns", "label,label", "--out", path("twice")], succeeds: false)
        XCTAssertTrue(select.stderr.contains("'label'"), select.stderr)
        for keep in [["--keep-column", "document", "--keep-column", "document"], ["--keep-column", "length"]] {
            try write("document\tlabel\tlength\n영화\t1\t3\n별로\t0\t2\n", "with-length.tsv")
            let result = try run(["tokenize", path("with-length.tsv"), "--tokenizer", path("vocab.txt"), "--out", path("kept")] + keep,
                                 succeeds: false)
            XCTAssertTrue(result.stderr.contains("--keep-column"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("twice")) || FileManager.default.fileExists(atPath: path("kept")))
    }

    func testMergeRefusesShardsOfAnotherJobOrOutOfOrder() throws {
        for index in 0..<2 { try tokenize("reviews.tsv", "part\(index)", ["--num-shards", "2", "--shard-index", "\(index)"]) }
        try run(["tokenize", path("reviews.tsv"), "--tokenizer", path("other-vocab.txt"), "--out", path("other1"),
                 "--num-shards", "2", "--shard-index", "1"])
        try tokenize("reviews.tsv", "short1", ["--num-shards", "2", "--shard-index", "1", "--max-length", "3"])
        let cases: [([String], String)] = [
            (["part1", "part0"], "given as shard 0"),
            (["part0"], "given as shard 0 of 1"),
            (["part0", "other1"], "another tokenizer"),
            (["part0", "short1"], "other options"),
        ]
        for (parts, message) in cases {
            let result = try run(["merge"] + parts.map(path) + ["--out", path("merged")], succeeds: false)
            XCTAssertTrue(result.stderr.contains(message), "\(parts): \(result.stderr)")
        }
        try run(["ingest", path("reviews.tsv"), "--out", path("ds")])
        XCTAssertTrue(try run(["merge", path("ds"), "--out", path("merged")], succeeds: false).stderr.contains("dataset concat"))
        try run(["merge", path("part0"), path("part1"), "--out", path("merged")])
    }
}
