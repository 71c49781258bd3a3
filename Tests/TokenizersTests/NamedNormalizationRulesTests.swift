import Foundation
@testable import Tokenizers
import TestSupport
import XCTest

/// A model that names a normalization rule but has no compiled charsmap: dsprep builds the rule
/// from ICU. Its normalization must equal sentencepiece 0.2.3's with the rule's own compiled
/// map (fixtures by tools/fixtures/generate-unigram-fixtures.py: adversarial texts, reviews and a sweep
/// of single code points).
final class NamedNormalizationRulesTests: XCTestCase {
    struct Record: Decodable {
        var text: String
        var normalized: String
    }

    private func tokenizer(rule: String) throws -> SentencePieceTokenizer {
        var proto = SentencePieceModelProto()
        proto.pieces = [SentencePieceModelProto.Piece(bytes: Array("<unk>".utf8), score: 0, type: .unknown),
                        SentencePieceModelProto.Piece(bytes: Array("a".utf8), score: -1, type: .normal)]
        proto.normalizerSpec.name = rule
        return try SentencePieceTokenizer(proto: proto, path: "rule-\(rule)")
    }

    private func check(_ rule: String) throws {
        let records = try JSONLines.decode(Record.self, at: SentencePieceParityTests.fixtures.appendingPathComponent("normalization-\(rule).jsonl"))
        XCTAssertGreaterThan(records.count, 3000)
        let tokenizer = try tokenizer(rule: rule)
        XCTAssertNil(tokenizer.normalizer.charsMap)
        XCTAssertNotNil(tokenizer.normalizer.namedRules)
        var mismatches: [String] = []
        for record in records {
            let normalized = tokenizer.normalize(record.text).normalized
            if normalized != record.normalized {
                mismatches.append("\(record.text.unicodeScalars.map { String($0.value, radix: 16) }): \(normalized.debugDescription) vs \(record.normalized.debugDescription)")
            }
        }
        XCTAssertEqual(mismatches.count, 0, "\(rule): \(mismatches.count) of \(records.count) differ: \(mismatches.prefix(8))")
    }

    func testNmtNFKC() throws { try check("nmt_nfkc") }
    func testNFKC() throws { try check("nfkc") }
    func testNmtNFKCCaseFold() throws { try check("nmt_nfkc_cf") }
    func testNFKCCaseFold() throws { try check("nfkc_cf") }

    func testIdentityAndUnknownNamesHaveNoRules() throws {
        XCTAssertNil(try tokenizer(rule: "identity").normalizer.namedRules)
        XCTAssertEqual(try tokenizer(rule: "identity").normalize("ＡＢ  c").normalized, "▁ＡＢ▁c")
        XCTAssertNil(try tokenizer(rule: "").normalizer.namedRules)
    }
}
