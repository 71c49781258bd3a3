import Foundation
import Tokenizers
import TestSupport
import XCTest

/// Compares dsprep's sentencepiece encoder with fixtures written by sentencepiece 0.2.3 itself
/// (tools/fixtures/generate-spm-fixtures.py): ids, pieces, offsets, normalized text and decoded text on
/// adversarial Unicode and on review documents, for the NSMC 16k model (from ../shared) and the
/// committed byte-fallback model.
final class SentencePieceParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spm")
    static let sharedModel = TestEnvironment.sharedLocation.appendingPathComponent("vocab/nsmc-unigram-16k.model").path
    static let byteFallbackModel = fixtures.appendingPathComponent("nsmc-bytefallback-2k.model").path

    struct Record: Decodable {
        var text: String
        var ids: [Int32]
        var pieces: [String]
        var offsets: [[Int32]]
        var normalized: String
        var decoded: String
    }

    private func records(_ name: String) throws -> [Record] {
        try JSONLines.decode(Record.self, at: Self.fixtures.appendingPathComponent(name))
    }

    /// Loaded once for the class (building its tries takes seconds in a debug build).
    private static let shared: Result<SentencePieceTokenizer, Error>? =
        FileManager.default.fileExists(atPath: sharedModel)
            ? Result { try SentencePieceTokenizer.load(path: sharedModel) } : nil

    private func sharedTokenizer() throws -> SentencePieceTokenizer {
        guard let shared = Self.shared else { throw TestEnvironment.missing("needs ../shared/vocab/nsmc-unigram-16k.model") }
        return try shared.get()
    }

    private func check(_ tokenizer: SentencePieceTokenizer, _ fixture: String) throws {
        let records = try records(fixture)
        XCTAssertFalse(records.isEmpty)
        for (line, record) in records.enumerated() {
            let context = "\(fixture) line \(line + 1): \(record.text.debugDescription)"
            let encoding = try tokenizer.encode(record.text, addSpecialTokens: false)
            XCTAssertEqual(encoding.ids, record.ids, context)
            XCTAssertEqual(encoding.tokens, record.pieces, context)
            XCTAssertEqual(encoding.offsets.map { [$0.start, $0.end] }, record.offsets, context)
            XCTAssertEqual(tokenizer.encodeIDs(record.text), record.ids, context)
            XCTAssertEqual(tokenizer.normalize(record.text).normalized, record.normalized, context)
            XCTAssertEqual(tokenizer.decode(record.ids, skipSpecialTokens: false), record.decoded, context)
        }
    }

    func testAdversarialUnicodeMatchesSentencePiece() throws {
        try check(try sharedTokenizer(), "adversarial-nsmc16k.jsonl")
    }

    func testReviewsMatchSentencePiece() throws {
        try check(try sharedTokenizer(), "reviews-nsmc16k.jsonl")
    }

    func testByteFallbackModelOnAdversarialUnicode() throws {
        try check(try SentencePieceTokenizer.load(path: Self.byteFallbackModel), "adversarial-bytefallback.jsonl")
    }

    func testByteFallbackModelOnReviews() throws {
        try check(try SentencePieceTokenizer.load(path: Self.byteFallbackModel), "reviews-bytefallback.jsonl")
    }
}
