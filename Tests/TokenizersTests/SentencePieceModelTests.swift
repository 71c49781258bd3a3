import DSPrepSupport
import Foundation
@testable import Tokenizers
import XCTest

/// Loading a `.model`: the fields read from the protobuf, vocabulary lookups, and clear errors
/// (never a crash) for files that are not sentencepiece models.
final class SentencePieceModelTests: XCTestCase {
    static let byteFallbackModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spm/nsmc-bytefallback-2k.model").path

    func testReadsTrainerAndNormalizerSpecs() throws {
        // Settings given to the trainer in tools/fixtures/train-spm-fixture.py.
        let tokenizer = try SentencePieceTokenizer.load(path: Self.byteFallbackModel)
        XCTAssertEqual(tokenizer.vocabularySize, 2000)
        XCTAssertTrue(tokenizer.trainerSpec.byteFallback)
        XCTAssertTrue(tokenizer.trainerSpec.splitDigits)
        XCTAssertEqual(tokenizer.trainerSpec.modelType, .unigram)
        XCTAssertEqual(tokenizer.normalizerSpec.name, "nmt_nfkc")
        XCTAssertTrue(tokenizer.normalizerSpec.addDummyPrefix)
        XCTAssertTrue(tokenizer.normalizerSpec.removeExtraWhitespaces)
        XCTAssertFalse(tokenizer.normalizerSpec.precompiledCharsmap.isEmpty)
        // Piece order: unk, bos, eos, control symbols, user-defined symbols, then 256 bytes.
        XCTAssertEqual((0..<6).map { tokenizer.token(of: $0) }, ["<unk>", "<s>", "</s>", "<cls>", "[MASK]", "ㅋㅋ"])
        XCTAssertEqual(tokenizer.token(of: 6), "<0x00>")
        XCTAssertEqual(tokenizer.id(of: "<0xFF>"), 6 + 255)
        XCTAssertEqual(tokenizer.id(of: "[MASK]"), 4)
        XCTAssertNil(tokenizer.id(of: "no such piece"))
        XCTAssertNil(tokenizer.token(of: 2000))
        XCTAssertNil(tokenizer.token(of: -1))
    }

    func testBOSAndEOSOnlyWhenAsked() throws {
        var tokenizer = try SentencePieceTokenizer.load(path: Self.byteFallbackModel)
        let plain = try tokenizer.encode("영화", addSpecialTokens: true)
        tokenizer.addBOS = true
        tokenizer.addEOS = true
        let wrapped = try tokenizer.encode("영화", addSpecialTokens: true)
        XCTAssertEqual(wrapped.ids, [1] + plain.ids + [2])
        XCTAssertEqual(wrapped.specialTokensMask, [1] + plain.ids.map { _ in 0 } + [1])
        XCTAssertEqual(try tokenizer.encode("영화", addSpecialTokens: false).ids, plain.ids)
        let pair = try tokenizer.encode("영화", pair: "재미", addSpecialTokens: false)
        XCTAssertEqual(pair.typeIds.filter { $0 == 1 }.count, tokenizer.encodeIDs("재미").count)
    }

    func testRejectsFilesThatAreNotModels() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spm-model-tests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, [UInt8])] = [
            ("text.model", Array("hello world, not a protobuf\n".utf8)),
            ("truncated.model", Array(try Data(contentsOf: URL(fileURLWithPath: Self.byteFallbackModel)).prefix(5000))),
            ("empty.model", []),
            ("nopieces.model", [0x12, 0x02, 0x18, 0x01]),  // trainer_spec { model_type: UNIGRAM }
        ]
        for (name, bytes) in cases {
            let path = directory.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try SentencePieceTokenizer.load(path: path), name) { error in
                XCTAssertTrue("\(error)".contains(path), "\(name): \(error)")
            }
        }
        XCTAssertThrowsError(try SentencePieceTokenizer.load(path: directory.appendingPathComponent("missing.model").path))
    }
}
