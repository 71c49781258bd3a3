import Foundation
import TestSupport
import XCTest

/// `dsprep encode` with Unigram tokenizer.json files and unknown text, against HF tokenizers
/// 0.23.3 (tools/fixtures/generate-decoder-fixtures.py's unigram-unknown.jsonl).
final class EncodeUnknownTextTests: XCTestCase {
    private struct Record: Decodable {
        var text: String
        var ids: [Int]?
        var tokens: [String]?
        var offsets: [[Int]]?
        var error: Bool?
    }

    private let fixture = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/TokenizersTests/Fixtures/decoders/unigram-unknown.jsonl")

    /// The fixture's lines for one tokenizer (the first with unk_id 0, the second with null),
    /// with that tokenizer.json written to `directory`.
    private func cases(unkIDIsNull: Bool, in directory: URL) throws -> (tokenizer: String, records: [Record]) {
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
        let records = try JSONLines.decode(Record.self, at: fixture)
        let half = records.count / 2
        let first = unkIDIsNull ? half : 0
        let object = try JSONSerialization.jsonObject(with: Data(lines[first].utf8)) as? [String: Any]
        let path = directory.appendingPathComponent(unkIDIsNull ? "unk-null.json" : "unk-0.json")
        try JSONSerialization.data(withJSONObject: object?["tokenizer"] ?? [:]).write(to: path)
        return (path.path, Array(records[first..<first + half]))
    }

    func testUnknownTokensAreTheTextTheyCover() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (tokenizer, records) = try cases(unkIDIsNull: false, in: directory)
        let input = records.map(\.text).joined(separator: "\n") + "\n"
        let result = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--output-format", "json"], stdin: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, records.count)
        for (line, record) in zip(lines, records) {
            let ours = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertEqual(ours?["ids"] as? [Int], record.ids, record.text)
            XCTAssertEqual(ours?["tokens"] as? [String], record.tokens, record.text)
            XCTAssertEqual(ours?["offsets"] as? [[Int]], record.offsets, record.text)
        }
    }

    func testMissingUnkIDNamesTheLine() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (tokenizer, records) = try cases(unkIDIsNull: true, in: directory)
        let good = try XCTUnwrap(records.first { $0.error != true && !$0.text.isEmpty })
        let bad = try XCTUnwrap(records.first { $0.error == true })
        let input = directory.appendingPathComponent("texts.txt")
        try (good.text + "\n" + bad.text + "\n").write(to: input, atomically: true, encoding: .utf8)
        let result = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, input.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "", "no partial output")
        XCTAssertTrue(result.stderr.contains("texts.txt:2:") && result.stderr.contains("no unk_id"), result.stderr)
    }
}
