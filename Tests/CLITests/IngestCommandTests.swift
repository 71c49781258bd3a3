import Foundation
import TestSupport
import XCTest

final class IngestCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private func file(_ name: String, _ text: String) throws -> String {
        let url = work.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private var sample: String { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path }

    func testIngestsTheSampleAndDescribesIt() throws {
        let out = work.appendingPathComponent("nsmc").path
        let ingest = try DSPrepBinary.run(["ingest", sample, "--out", out, "--quiet"])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        XCTAssertTrue(ingest.stdout.contains("wrote 3000 rows"), ingest.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/data-00000-of-00001.arrow"))
        let describe = try DSPrepBinary.run(["dataset", "describe", out])
        XCTAssertEqual(describe.status, 0, describe.stderr)
        XCTAssertTrue(describe.stdout.contains("3000 rows"), describe.stdout)
        XCTAssertTrue(describe.stdout.contains("label (int64)"), describe.stdout)
    }

    func testSeveralInputsBecomeNamedSplits() throws {
        let train = try file("my_train.csv", "text,label\n좋아요,1\n별로,0\n")
        let test = try file("my_test.csv", "text,label\n\"최고, 정말\",1\n")
        let out = work.appendingPathComponent("dict").path
        let result = try DSPrepBinary.run(["ingest", train, test, "--out", out, "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let splits = try String(contentsOfFile: out + "/dataset_dict.json", encoding: .utf8)
        XCTAssertTrue(splits.contains("\"train\"") && splits.contains("\"test\""), splits)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/test/state.json"))
    }

    func testBadInputNamesFileAndLineAndLeavesNoOutput() throws {
        let ragged = try file("ragged.csv", "a,b\n1,2\n3,4,5\n")
        let out = work.appendingPathComponent("never").path
        let result = try DSPrepBinary.run(["ingest", ragged, "--out", out, "--quiet"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("ragged.csv:3"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("never") }
        XCTAssertEqual(leftovers, [], "no temporary folder left behind")
    }

    func testSplitShardAndSelectOperateOnFolders() throws {
        let out = work.appendingPathComponent("nsmc").path
        XCTAssertEqual(try DSPrepBinary.run(["ingest", sample, "--out", out, "--quiet"]).status, 0)
        let split = try DSPrepBinary.run(["dataset", "split", out, "--test-size", "0.1", "--stratify-by-column", "label", "--out", out + "-split"])
        XCTAssertEqual(split.status, 0, split.stderr)
        XCTAssertTrue(split.stdout.contains("train (2700 rows) and test (300 rows)"), split.stdout)
        let shard = try DSPrepBinary.run(["dataset", "shard", out + "-split", "--split", "test", "--num-shards", "4", "--index", "3", "--out", out + "-shard"])
        XCTAssertEqual(shard.status, 0, shard.stderr)
        XCTAssertTrue(shard.stdout.contains("wrote 75 rows"), shard.stdout)
        let select = try DSPrepBinary.run(["dataset", "select", out, "--columns", "document,label", "--out", out + "-select"])
        XCTAssertEqual(select.status, 0, select.stderr)
        let missing = try DSPrepBinary.run(["dataset", "select", out, "--columns", "nope", "--out", out + "-bad"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no column named 'nope'"), missing.stderr)
    }

    func testFilterKeepsTheRowsThatMeetEveryCondition() throws {
        let out = work.appendingPathComponent("nsmc").path
        XCTAssertEqual(try DSPrepBinary.run(["ingest", sample, "--out", out, "--quiet"]).status, 0)
        // the expected count, from the TSV itself: label 1 and more than 50 characters (Python's len)
        let lines = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let document = try XCTUnwrap(lines[0].firstIndex(of: "document")), label = try XCTUnwrap(lines[0].firstIndex(of: "label"))
        let expected = lines.dropFirst().filter { $0[label] == "1" && $0[document].unicodeScalars.count > 50 }.count
        XCTAssertGreaterThan(expected, 0)
        let filter = try DSPrepBinary.run(["dataset", "filter", out, "--where", "label == 1", "--where", "len(document) > 50", "--out", out + "-long"])
        XCTAssertEqual(filter.status, 0, filter.stderr)
        XCTAssertTrue(filter.stdout.contains("kept \(expected) of \(lines.count - 1) rows"), filter.stdout)

        let bad = try DSPrepBinary.run(["dataset", "filter", out, "--where", "document > 3", "--out", out + "-bad"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--where 'document > 3': column 'document' holds string, which compares with a quoted string"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "-bad"))
    }
}
