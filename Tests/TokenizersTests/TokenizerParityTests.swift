import Foundation
import TestSupport
import Tokenizers
import XCTest

/// Ids and offsets against HF tokenizers 0.23.3, from fixtures written by
/// tools/fixtures/make-tokenizer-fixtures.sh (adversarial Unicode + a sample of review documents).
final class TokenizerParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func inputLines() throws -> [String] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("tokenizer-inputs.txt"), encoding: .utf8)
        // Split on LF bytes only: a Character split would treat "\r\n" as one separator-less grapheme.
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private func load(_ file: String, casing: TokenizerLoader.Casing = .automatic) throws -> TextTokenizer {
        try TokenizerLoader.load(path: try TestEnvironment.sharedFile("vocab/" + file), casing: casing)
    }

    private func check(_ tokenizer: TextTokenizer, expected name: String, addSpecialTokens: Bool = true,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let inputs = try Self.inputLines()
        let expectedText = try String(contentsOf: Self.fixtures.appendingPathComponent("tokenizer-expected-\(name).jsonl"), encoding: .utf8)
        let expected = expectedText.utf8.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(inputs.count, expected.count, "fixture line counts differ", file: file, line: line)
        var mismatches = 0
        for (index, (input, expectedLine)) in zip(inputs, expected).enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(expectedLine.utf8)) as? [String: Any]
            let ids = (object?["ids"] as? [Int])?.map(Int32.init) ?? []
            let offsets = (object?["offsets"] as? [[Int]]) ?? []
            let encoding = try tokenizer.encode(input, addSpecialTokens: addSpecialTokens)
            let actualOffsets = encoding.offsets.map { [Int($0.start), Int($0.end)] }
            if encoding.ids != ids || actualOffsets != offsets {
                mismatches += 1
                if mismatches <= 3 {
                    XCTFail("\(name) line \(index + 1) \(input.debugDescription):\n  expected \(ids) \(offsets)\n  actual   \(encoding.ids) \(actualOffsets)",
                            file: file, line: line)
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(name): \(mismatches) of \(inputs.count) lines differ", file: file, line: line)
    }

    func testKRBertTokenizerJSON() throws { try check(try load("krbert-char16424.json"), expected: "krbert-char16424-json") }
    func testKRBertTokenizerJSONWithoutSpecialTokens() throws {
        try check(try load("krbert-char16424.json"), expected: "krbert-char16424-json-nospecial", addSpecialTokens: false)
    }
    func testNSMCWordPiece() throws { try check(try load("nsmc-wordpiece-16k.json"), expected: "nsmc-wordpiece-16k") }
    func testMiniLMWithTruncation() throws {
        // The file's padding is not applied by the reference (padding is a collator's job).
        let loaded = try load("minilm-l6-tokenizer.json")  // outside XCTUnwrap, which turns a skip into a failure
        try check(try XCTUnwrap(loaded as? Tokenizer).withPadding(nil), expected: "minilm-l6")
    }
    func testMiniLMWithoutSpecialTokens() throws {
        let loaded = try load("minilm-l6-tokenizer.json")
        try check(try XCTUnwrap(loaded as? Tokenizer).withPadding(nil), expected: "minilm-l6-nospecial", addSpecialTokens: false)
    }
    func testBertBaseUncasedVocabularyText() throws { try check(try load("bert-base-uncased.txt"), expected: "bert-base-uncased-txt") }
    func testKRBertVocabularyTextCased() throws {
        try check(try load("krbert-char16424.txt", casing: .cased), expected: "krbert-char16424-txt-cased")
    }
    func testKRBertVocabularyTextUncased() throws {
        try check(try load("krbert-char16424.txt", casing: .uncased), expected: "krbert-char16424-txt-uncased")
    }

    /// The same pipelines through the stage-by-stage path (a Sequence normalizer turns the fused
    /// BERT fast path off), so both paths are held to the reference.
    private func generic(_ tokenizer: TextTokenizer) throws -> Tokenizer {
        let tokenizer = try XCTUnwrap(tokenizer as? Tokenizer)
        return try Tokenizer(normalizer: NormalizerSequence([try XCTUnwrap(tokenizer.normalizer)]),
                             preTokenizer: tokenizer.preTokenizer, model: tokenizer.model,
                             postProcessor: tokenizer.postProcessor, decoder: tokenizer.decoder,
                             addedTokens: tokenizer.addedTokens, truncation: tokenizer.truncation)
    }

    func testGenericPathKRBert() throws {
        try check(try generic(try load("krbert-char16424.json")), expected: "krbert-char16424-json")
    }
    func testGenericPathBertBaseUncased() throws {
        try check(try generic(try load("bert-base-uncased.txt")), expected: "bert-base-uncased-txt")
    }
    func testGenericPathMiniLM() throws { try check(try generic(try load("minilm-l6-tokenizer.json")), expected: "minilm-l6") }
}
