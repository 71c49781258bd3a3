import Foundation
import TestSupport
import XCTest

/// `dsprep encode --nbest N` and `--sample` with a sentencepiece model: the n-best lists equal
/// sentencepiece's (fixture by tools/fixtures/generate-unigram-fixtures.py); samples are reproducible
/// from the seed and always one line per input line.
final class EncodeSegmentationTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TokenizersTests/Fixtures/spm").standardized
    static let model = fixtures.appendingPathComponent("nsmc-bytefallback-2k.model").path

    struct NBestRecord: Decodable {
        struct Lists: Decodable { var ids: [[Int32]] }
        var text: String
        var nbest: [String: Lists]
    }

    func testNBestListsMatchSentencePiece() throws {
        let records = try JSONLines.decode(NBestRecord.self, at: Self.fixtures.appendingPathComponent("nbest-reviews-bytefallback.jsonl"))
            .prefix(20)
        let input = records.map(\.text).joined(separator: "\n") + "\n"
        let result = try DSPrepBinary.run(["encode", "--tokenizer", Self.model, "--nbest", "7"], stdin: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, records.count)
        for (line, record) in zip(lines, records) {
            let lists = line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.split(separator: " ").compactMap { Int32($0) } }
            XCTAssertEqual(lists, record.nbest["7"]?.ids, record.text)
        }
        let json = try DSPrepBinary.run(["encode", "--tokenizer", Self.model, "--nbest", "2", "--output-format", "json"],
                                        stdin: records[0].text + "\n")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.compactMap { $0["ids"] as? [Int] }, record(records[0], "2").map { $0.map(Int.init) })
    }

    private func record(_ record: NBestRecord, _ size: String) -> [[Int32]] { record.nbest[size]?.ids ?? [] }

    func testSamplesAreSeededPerLine() throws {
        let input = String(repeating: "아 더빙.. 진짜 짜증나네요 목소리\n", count: 40) + "\n"
        func run(_ extra: [String]) throws -> [Substring] {
            let result = try DSPrepBinary.run(["encode", "--tokenizer", Self.model, "--sample", "--alpha", "0.1"] + extra,
                                              stdin: input)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        }
        let first = try run(["--seed", "5"])
        XCTAssertEqual(first.count, 41, "one line per input line, the empty one included")
        XCTAssertEqual(first.last, "")
        XCTAssertEqual(try run(["--seed", "5"]), first)
        XCTAssertNotEqual(try run(["--seed", "6"]), first)
        XCTAssertGreaterThan(Set(first.dropLast()).count, 1, "the same text gets different segmentations")
        let best = try DSPrepBinary.run(["encode", "--tokenizer", Self.model], stdin: "아 더빙.. 진짜 짜증나네요 목소리\n")
        XCTAssertTrue(first.contains { $0 + "\n" == best.stdout }, "alpha 0.1 gives the best one at times")
    }

    func testSegmentationFlagsAreChecked() throws {
        let bad = try DSPrepBinary.run(["encode", "--tokenizer", Self.model, "--nbest", "0"], stdin: "a\n")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--nbest"), bad.stderr)
        let notModel = try DSPrepBinary.run(["encode", "--tokenizer", "tokenizer.json", "--sample"], stdin: "a\n")
        XCTAssertNotEqual(notModel.status, 0)
        XCTAssertTrue(notModel.stderr.contains(".model"), notModel.stderr)
    }
}
