import Foundation
import TestSupport
import XCTest

/// `dsprep encode` and `dsprep inspect`, run as a user runs them.
final class EncodeTests: XCTestCase {
    private var fixtures: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("Tests/TokenizersTests/Fixtures")
    }

    private func vocabulary(_ file: String) throws -> String {
        try TestEnvironment.sharedFile("vocab/" + file)
    }

    private func lines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    func testJSONOutputMatchesTheReferenceFixture() throws {
        let tokenizer = try vocabulary("krbert-char16424.json")
        let inputs = fixtures.appendingPathComponent("tokenizer-inputs.txt").path
        let result = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--output-format", "json", inputs])
        XCTAssertEqual(result.status, 0, result.stderr)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("tokenizer-expected-krbert-char16424-json.jsonl"), encoding: .utf8)
        let actualLines = lines(result.stdout), expectedLines = lines(expected)
        XCTAssertEqual(actualLines.count, expectedLines.count, "one output line per input line, empty lines included")
        for (number, (actual, reference)) in zip(actualLines, expectedLines).enumerated() {
            let ours = try JSONSerialization.jsonObject(with: Data(actual.utf8)) as? [String: Any]
            let theirs = try JSONSerialization.jsonObject(with: Data(reference.utf8)) as? [String: Any]
            XCTAssertEqual(ours?["ids"] as? [Int], theirs?["ids"] as? [Int], "line \(number + 1)")
            XCTAssertEqual(ours?["offsets"] as? [[Int]], theirs?["offsets"] as? [[Int]], "line \(number + 1)")
            XCTAssertEqual((ours?["tokens"] as? [String])?.count, (ours?["ids"] as? [Int])?.count, "line \(number + 1)")
        }
    }

    func testStandardInputIdsAndPieces() throws {
        let tokenizer = try vocabulary("bert-base-uncased.txt")
        let ids = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer], stdin: "Hello World\n\nhello world\n")
        XCTAssertEqual(ids.status, 0, ids.stderr)
        let idLines = lines(ids.stdout)
        XCTAssertEqual(idLines.count, 3, "one line per input line")
        XCTAssertEqual(idLines[0], idLines[2], "a vocab.txt is uncased by default")
        XCTAssertEqual(idLines[1].split(separator: " ").count, 2, "an empty line still gets [CLS] [SEP]")
        let pieces = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--output-format", "piece", "--no-special-tokens"],
                                          stdin: "Hello World\n")
        XCTAssertEqual(pieces.stdout, "hello world\n")
    }

    func testJSONLInput() throws {
        let tokenizer = try vocabulary("bert-base-uncased.txt")
        let plain = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer], stdin: "a b\nc\n")
        let jsonl = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--input-format", "jsonl", "--field", "text"],
                                         stdin: "{\"text\": \"a b\"}\n{\"text\": \"c\", \"x\": 1}\n")
        XCTAssertEqual(jsonl.status, 0, jsonl.stderr)
        XCTAssertEqual(jsonl.stdout, plain.stdout)
        let missing = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--input-format", "jsonl", "--field", "text"],
                                           stdin: "{\"text\": \"a\"}\n{\"other\": 1}\n")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("<stdin>:2: no field \"text\""), missing.stderr)
        XCTAssertEqual(missing.stdout, "", "no partial output")
    }

    func testInvalidUTF8IsNamedAndNothingIsPrinted() throws {
        let tokenizer = try vocabulary("krbert-char16424.json")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("bad.txt")
        try Data("좋아요\nab\u{FF}".utf8.map { $0 } + [0x61, 0xFF, 0x0A]).write(to: input)
        let result = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, input.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad.txt:2:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("invalid UTF-8"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testMissingTokenizerFile() throws {
        let result = try DSPrepBinary.run(["encode", "--tokenizer", "/nonexistent/vocab.txt"], stdin: "a\n")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/vocab.txt: no such file"), result.stderr)
    }

    func testPadAppliesTheFilesFixedPadding() throws {
        let tokenizer = try vocabulary("minilm-l6-tokenizer.json")
        let unpadded = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer], stdin: "hello\n")
        XCTAssertEqual(unpadded.stdout.split(separator: " ").count, 3)
        let padded = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--pad"], stdin: "hello\n")
        let ids = padded.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
        XCTAssertEqual(ids.count, 128, "minilm-l6-tokenizer.json pads to a fixed 128")
        XCTAssertEqual(ids.last, "0")
    }

    func testInspectShowsTokensOffsetsAndSource() throws {
        let tokenizer = try vocabulary("krbert-char16424.json")
        let result = try DSPrepBinary.run(["inspect", "--tokenizer", tokenizer, "좋은 영화!"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("pre-tokenized: \"좋은\"[0,2) \"영화\"[3,5) \"!\"[5,6)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"[CLS]\" (special)"), result.stdout)
        XCTAssertTrue(result.stdout.split(separator: "\n").contains { $0.contains("[5, 6)") && $0.hasSuffix("\"!\"") },
                      "a row with the offsets of \"!\" and its source text\n\(result.stdout)")
    }
}
