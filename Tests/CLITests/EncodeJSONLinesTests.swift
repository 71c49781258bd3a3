import Foundation
import TestSupport
import XCTest

/// `dsprep encode --format jsonl` reads each line with the JSON lexer `ingest` uses, finds the text
/// field by name as `tokenize` finds its column, and says where a line goes wrong.
final class EncodeJSONLinesTests: XCTestCase {
    func encode(_ arguments: [String], _ input: String) throws -> ProcessResult {
        try DSPrepBinary.run(["encode", "--tokenizer", SampleShards.tokenizer, "--format", "jsonl"] + arguments, stdin: input)
    }

    func testTheTextFieldIsFoundByNameAndTheOldSpellingsAgree() throws {
        let lines = #"{"id": 1, "document": "영화가 좋다", "label": 1}"# + "\n" + #"{"id": 2, "document": "별로", "label": 0}"# + "\n"
        let plain = try DSPrepBinary.run(["encode", "--tokenizer", SampleShards.tokenizer], stdin: "영화가 좋다\n별로\n")
        let byName = try encode([], lines)
        XCTAssertEqual(byName.status, 0, byName.stderr)
        XCTAssertEqual(byName.stdout, plain.stdout)
        XCTAssertEqual(try encode(["--text-column", "document"], lines).stdout, plain.stdout)
        let earlier = try DSPrepBinary.run(["encode", "--tokenizer", SampleShards.tokenizer, "--input-format", "jsonl", "--field", "document"],
                                           stdin: lines)
        XCTAssertEqual(earlier.stdout, plain.stdout)

        let pairs = #"{"sentence1": "영화가", "sentence2": "좋다"}"# + "\n"
        XCTAssertEqual(try encode([], pairs).stdout, try encode(["--text-column", "sentence1", "--text-pair-column", "sentence2"], pairs).stdout)
        let unnamed = try encode([], #"{"a": "영화"}"# + "\n")
        XCTAssertNotEqual(unnamed.status, 0)
        XCTAssertTrue(unnamed.stderr.contains("<stdin>:1: cannot tell which field holds the text") && unnamed.stderr.contains("--text-column"),
                      unnamed.stderr)
    }

    func testBadLinesAreNamedWithTheirColumnAndNothingIsPrinted() throws {
        for (input, expected) in [
            (#"{"text": "a"}"# + "\n" + #"{"text": "b""# + "\n", "<stdin>:2:13: expected ',' or '}'"),
            (#"{"text": "a", "text": "b"}"# + "\n", "<stdin>:1: duplicate key 'text'"),
            (#"["text"]"# + "\n", "<stdin>:1: expected a JSON object"),
            (#"{"text": 1}"# + "\n", "<stdin>:1: field \"text\" is not a string"),
        ] {
            let result = try encode(["--text-column", "text"], input)
            XCTAssertNotEqual(result.status, 0, input)
            XCTAssertTrue(result.stderr.contains(expected), "\(input): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "no partial output")
        }
    }
}
