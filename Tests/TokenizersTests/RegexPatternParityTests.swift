import Foundation
@testable import Tokenizers
import DSPrepSupport
import TestSupport
import XCTest

/// `Replace` normalizers and `Split` pre-tokenizers with regex and literal patterns: ids and
/// offsets equal HF tokenizers 0.23.3's on every case × input of the fixtures written by
/// tools/fixtures/generate-regex-fixtures.py, and the tokenizer.json dsprep writes encodes the same in HF.
final class RegexPatternParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/regex")

    struct Expected: Decodable {
        var `case`: String
        var input: Int
        var ids: [Int32]
        var offsets: [[Int32]]
    }

    private func inputs() throws -> [String] { try JSONLines.decode(String.self, at: Self.fixtures.appendingPathComponent("inputs.jsonl")) }
    private func expected() throws -> [Expected] { try JSONLines.decode(Expected.self, at: Self.fixtures.appendingPathComponent("expected.jsonl")) }

    /// Each case's normalizer and pre-tokenizer, as HF serializes them.
    private func cases() throws -> [(name: String, normalizer: JSONValue, preTokenizer: JSONValue)] {
        let document = try JSONValue.parse(String(contentsOf: Self.fixtures.appendingPathComponent("cases.json"), encoding: .utf8),
                                           path: "cases.json")
        return try XCTUnwrap(document.objectValue).map { name, components in
            (name, components["normalizer"] ?? .null, components["pre_tokenizer"] ?? .null)
        }
    }

    /// base.json with a case's components: that case's tokenizer.json.
    private func tokenizer(normalizer: JSONValue, preTokenizer: JSONValue) throws -> Tokenizer {
        let base = try JSONValue.parse(String(contentsOf: Self.fixtures.appendingPathComponent("base.json"), encoding: .utf8),
                                       path: "base.json")
        let members = try XCTUnwrap(base.objectValue).map { key, value -> (String, JSONValue) in
            switch key {
            case "normalizer": return (key, normalizer)
            case "pre_tokenizer": return (key, preTokenizer)
            default: return (key, value)
            }
        }
        return try TokenizerJSON.make(.object(members), path: "base.json")
    }

    /// Encodes every input with each case's tokenizer and counts the records that differ from
    /// HF's, reporting the first few.
    private func mismatches(_ tokenizers: [String: Tokenizer]) throws -> (checked: Int, differing: Int) {
        let texts = try inputs()
        var checked = 0, differing = 0
        for record in try expected() {
            let tokenizer = try XCTUnwrap(tokenizers[record.case], "case \(record.case)")
            let text = try XCTUnwrap(texts.indices.contains(record.input) ? texts[record.input] : nil)
            let encoding = try tokenizer.encode(text, addSpecialTokens: false)
            let offsets = encoding.offsets.map { [$0.start, $0.end] }
            checked += 1
            if encoding.ids != record.ids || offsets != record.offsets {
                differing += 1
                if differing <= 5 {
                    XCTFail("\(record.case) input \(record.input) \(text.debugDescription): ids \(encoding.ids) offsets \(offsets), "
                            + "HF: ids \(record.ids) offsets \(record.offsets)")
                }
            }
        }
        return (checked, differing)
    }

    func testEncodingsEqualHF() throws {
        var tokenizers: [String: Tokenizer] = [:]
        for item in try cases() { tokenizers[item.name] = try tokenizer(normalizer: item.normalizer, preTokenizer: item.preTokenizer) }
        let result = try mismatches(tokenizers)
        XCTAssertGreaterThan(result.checked, 1000)
        XCTAssertEqual(result.differing, 0, "\(result.differing) of \(result.checked) encodings differ from HF")
    }

    func testWrittenComponentsAreWhatHFSerializes() throws {
        for item in try cases() {
            let document = TokenizerJSON.document(for: try tokenizer(normalizer: item.normalizer, preTokenizer: item.preTokenizer))
            XCTAssertEqual(document["normalizer"]?.serialized(), item.normalizer.serialized(), item.name)
            XCTAssertEqual(document["pre_tokenizer"]?.serialized(), item.preTokenizer.serialized(), item.name)
        }
    }

    /// The tokenizer.json files dsprep writes, loaded by HF tokenizers, encode as the fixtures say.
    func testWrittenFilesEncodeIdenticallyInHF() throws {
        _ = try TestEnvironment.requirePython()
        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for item in try cases() {
            try TokenizerJSON.save(try tokenizer(normalizer: item.normalizer, preTokenizer: item.preTokenizer),
                                   to: folder.appendingPathComponent("\(item.name).json").path)
        }
        let script = """
        import json, sys
        from tokenizers import Tokenizer
        folder, fixtures = sys.argv[1], sys.argv[2]
        texts = [json.loads(line) for line in open(fixtures + "/inputs.jsonl", encoding="utf-8")]
        loaded, differing, checked = {}, 0, 0
        for line in open(fixtures + "/expected.jsonl", encoding="utf-8"):
            record = json.loads(line)
            name = record["case"]
            if name not in loaded:
                loaded[name] = Tokenizer.from_file(f"{folder}/{name}.json")
            encoding = loaded[name].encode(texts[record["input"]], add_special_tokens=False)
            checked += 1
            if encoding.ids != record["ids"] or [list(o) for o in encoding.offsets] != record["offsets"]:
                differing += 1
        print(json.dumps({"checked": checked, "differing": differing}))
        """
        let result = try XCTUnwrap(try PythonPeer.json(["-c", script, folder.path, Self.fixtures.path]) as? [String: Int])
        XCTAssertGreaterThan(result["checked"] ?? 0, 1000)
        XCTAssertEqual(result["differing"], 0)
    }

    // MARK: - The regex engine itself

    func testMatchPositionsAreScalarIndexesAroundAstralCharacters() throws {
        // 😀 (U+1F600) and 𝐀 (U+1D400) take two UTF-16 units each; the ranges are in scalars.
        let scalars = "😀ab𝐀c😀".unicodeScalars.map(\.value)
        XCTAssertEqual(try RegularExpression("[a-z]+").matches(in: scalars), [1..<3, 4..<5])
        XCTAssertEqual(try RegularExpression("\\p{L}").matches(in: scalars), [1..<2, 2..<3, 3..<4, 4..<5])
        XCTAssertEqual(try RegularExpression("😀").matches(in: scalars), [0..<1, 5..<6])
    }

    func testEmptyMatchesFollowOnigurumaIteration() throws {
        // The onig crate's find_iter skips an empty match where the previous match ended.
        let scalars = "axb".unicodeScalars.map(\.value)
        XCTAssertEqual(try RegularExpression("x*").matches(in: scalars), [0..<0, 1..<2, 3..<3])
        XCTAssertEqual(try RegularExpression("").matches(in: scalars), [0..<0, 1..<1, 2..<2, 3..<3])
        XCTAssertEqual(try TextPattern.literal("").matches(in: scalars), [0..<0, 1..<1, 2..<2, 3..<3])
        XCTAssertEqual(try RegularExpression("x*").matches(in: []), [])
        // Only \n ends a line, as in Oniguruma; ^ and $ hold at every line.
        XCTAssertEqual(try RegularExpression("^.").matches(in: "a\nb\rc".unicodeScalars.map(\.value)), [0..<1, 2..<3])
    }

    func testOnigurumaMeaningsOfConstructsICUSpellsDifferently() throws {
        func matches(_ pattern: String, _ text: String) throws -> [Range<Int>] {
            try RegularExpression(pattern).matches(in: text.unicodeScalars.map(\.value))
        }
        XCTAssertEqual(try matches("(?m)a.b", "a\nb"), [0..<3])      // Ruby's (?m): dot matches newline
        XCTAssertEqual(try matches("a.b", "a\nb a\rb"), [4..<7])     // only \n ends a line
        XCTAssertEqual(try matches("\\h+", "0xBEEF zz"), [0..<1, 2..<6]) // hexadecimal digits
        XCTAssertEqual(try matches("\\w+", "a\u{200D}b ½"), [0..<1, 2..<3, 4..<5])
        XCTAssertEqual(try matches("\\b", "e\u{301}x"), [0..<0, 3..<3]) // a mark is a word character
        XCTAssertEqual(try matches("[\\w-]+", "a-b c"), [0..<3, 4..<5])
        XCTAssertEqual(try matches("[\\W]", "x½y"), [1..<2])            // ½ is \w only outside a class
    }

    func testRejectedPatternNamesFileAndPattern() throws {
        let json = #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}, "#
            + #""pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(ab"}, "behavior": "Isolated", "invert": false}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(json, path: "bad.json"), path: "bad.json")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("bad.json") && message.contains("(ab") && message.contains("Split"), message)
        }
    }

    func testOneCompiledPatternServesManyThreads() throws {
        let regex = try RegularExpression("\\p{Hangul}+|[a-z]+")
        let scalars = Array(repeating: "한국 ab 😀 어cd ", count: 50).joined().unicodeScalars.map(\.value)
        let reference = try regex.matches(in: scalars)
        XCTAssertEqual(reference.count, 200)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var differing = 0
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            let found = try? regex.matches(in: scalars)
            results.lock.lock()
            if found != reference { results.differing += 1 }
            results.lock.unlock()
        }
        XCTAssertEqual(results.differing, 0)
    }
}
