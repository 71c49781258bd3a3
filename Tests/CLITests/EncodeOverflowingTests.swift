import Foundation
import TestSupport
import XCTest

/// `dsprep encode --output-format json` with a tokenizer.json that truncates: a truncated line's
/// object gets an "overflowing" list of the windows cut off, as HF tokenizers 0.23.3 makes them
/// (the fixtures of TokenizersTests/TruncationParityTests, tools/fixtures/generate-truncation-fixtures.py).
final class EncodeOverflowingTests: XCTestCase {
    private static let fixtures = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/TokenizersTests/Fixtures/truncation")

    private static func object(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(file))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], file)
    }

    func testJSONShowsOverflowingWindowsAsHF() throws {
        let truncation: [String: Any] = ["direction": "Right", "max_length": 5, "strategy": "LongestFirst", "stride": 1]
        var tokenizer = try XCTUnwrap(try Self.object("tokenizers.json")["krbert"] as? [String: Any])
        tokenizer["truncation"] = truncation
        let cases = try Self.object("cases.json")
        let settings = try XCTUnwrap(cases["settings"] as? [[String: Any]])
        let setting = try XCTUnwrap(settings.firstIndex { setting in
            guard let other = setting["truncation"] as? [String: Any] else { return false }
            return other["direction"] as? String == "Right" && other["max_length"] as? Int == 5 && other["stride"] as? Int == 1
                && other["strategy"] as? String == "LongestFirst" && setting["padding"] is NSNull
                && setting["add_special_tokens"] as? Bool == true
        }, "cases.json has no setting \(truncation)")
        let encodings = try XCTUnwrap(cases["encodings"] as? [[Any]])
        let inputs = try XCTUnwrap(cases["inputs"] as? [[String: Any]]).filter { $0["tokenizer"] as? String == "krbert" && $0["pair"] is NSNull }
        let texts = inputs.compactMap { $0["text"] as? String }
        let expected = try inputs.map { try XCTUnwrap(($0["results"] as? [Int])?[setting]) }
        XCTAssertTrue(texts.contains("") && expected.allSatisfy { $0 >= 0 })

        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tokenizer.json").path
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: URL(fileURLWithPath: path))
        let result = try DSPrepBinary.run(["encode", "--tokenizer", path, "--output-format", "json"],
                                          stdin: texts.joined(separator: "\n") + "\n")
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, texts.count, "one line per input line")

        /// The fixture's encoding `index` as dsprep prints it: ids, tokens, offsets, and the
        /// overflowing windows only when there are some.
        func printed(_ index: Int) -> Printed {
            let row = encodings[index]
            let windows = row[6] as? [Int] ?? []
            return Printed(ids: row[0] as? [Int] ?? [], tokens: row[2] as? [String] ?? [], offsets: row[3] as? [[Int]] ?? [],
                           overflowing: windows.isEmpty ? nil : windows.map(printed))
        }
        var truncatedLines = 0
        for (line, (text, index)) in zip(lines, zip(texts, expected)) {
            let ours = try JSONDecoder().decode(Printed.self, from: Data(line.utf8))
            XCTAssertEqual(ours, printed(index), text)
            if ours.overflowing != nil { truncatedLines += 1 }
        }
        XCTAssertGreaterThan(truncatedLines, 0, "the texts include lines longer than max_length")
    }

    private struct Printed: Decodable, Equatable {
        var ids: [Int]
        var tokens: [String]
        var offsets: [[Int]]
        var overflowing: [Printed]?
    }
}
