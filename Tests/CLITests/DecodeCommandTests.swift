import Foundation
import TestSupport
import XCTest

/// `dsprep decode`, run as a user runs it, against HF tokenizers' `Tokenizer.decode` and
/// sentencepiece's `decode_ids` (fixtures by tools/fixtures/generate-decoder-fixtures.py).
final class DecodeCommandTests: XCTestCase {
    private let fixtures = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/TokenizersTests/Fixtures")
    private var ids: String { fixtures.appendingPathComponent("decoders/bytefallback-decode-ids.txt").path }

    private struct Record: Decodable {
        var skip: String
        var keep: String
        var spm: String
    }

    private func expected() throws -> [Record] {
        try JSONLines.decode(Record.self, at: fixtures.appendingPathComponent("decoders/bytefallback-decode.jsonl"))
    }

    /// `--output-format json` prints one JSON string per line, so decoded newlines stay inside.
    private func decodedLines(_ arguments: [String]) throws -> [String] {
        let result = try DSPrepBinary.run(["decode", "--output-format", "json"] + arguments + [ids])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) as? String)
        }
    }

    func testTokenizerJSONDecodesAsHF() throws {
        let tokenizer = fixtures.appendingPathComponent("decoders/bytefallback.json").path
        let records = try expected()
        XCTAssertEqual(try decodedLines(["--tokenizer", tokenizer]), records.map(\.skip))
        XCTAssertEqual(try decodedLines(["--tokenizer", tokenizer, "--keep-special-tokens"]), records.map(\.keep))
    }

    func testSentencePieceModelDecodesAsDecodeIds() throws {
        let model = fixtures.appendingPathComponent("spm/nsmc-bytefallback-2k.model").path
        XCTAssertEqual(try decodedLines(["--tokenizer", model]), try expected().map(\.spm))
    }

    func testTextOutputIsOneLinePerInputLine() throws {
        let model = fixtures.appendingPathComponent("spm/nsmc-bytefallback-2k.model").path
        let result = try DSPrepBinary.run(["decode", "--tokenizer", model], stdin: "262 862 1067 1074\n\n 262  862\t1067 \n")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 4, result.stdout)
        XCTAssertEqual(lines[1], "")
        XCTAssertEqual(lines[2], lines[0].dropLast(lines[0].count - lines[2].count), "spaces and tabs separate ids")
    }

    func testCRLFIdsFileDecodesLineByLine() throws {
        let model = fixtures.appendingPathComponent("spm/nsmc-bytefallback-2k.model").path
        let unix = try DSPrepBinary.run(["decode", "--tokenizer", model], stdin: "262 862\n1067 1074\n")
        let windows = try DSPrepBinary.run(["decode", "--tokenizer", model], stdin: "262 862\r\n1067 1074\r\n")
        XCTAssertEqual(windows.status, 0, windows.stderr)
        XCTAssertEqual(windows.stdout, unix.stdout)
        XCTAssertEqual(windows.stdout.split(separator: "\n").count, 2, windows.stdout)
    }

    func testBadIdsAreNamedAndNothingIsPrinted() throws {
        let model = fixtures.appendingPathComponent("spm/nsmc-bytefallback-2k.model").path
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("ids.txt")
        for (content, location, message) in [("1 2\n3 x4 5\n", "ids.txt:2:3", "found \"x4\""),
                                             ("1 -2\n", "ids.txt:1:3", "found \"-2\""),
                                             ("1\n\n7 2000\n", "ids.txt:3:3", "token id 2000 is not in"),
                                             ("99999999999\n", "ids.txt:1:1", "found \"99999999999\"")] {
            try content.write(to: input, atomically: true, encoding: .utf8)
            let result = try DSPrepBinary.run(["decode", "--tokenizer", model, input.path])
            XCTAssertNotEqual(result.status, 0, content)
            XCTAssertEqual(result.stdout, "", content)
            XCTAssertTrue(result.stderr.contains(location) && result.stderr.contains(message), "\(content): \(result.stderr)")
        }
    }
}
