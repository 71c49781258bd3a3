import Foundation
import TestSupport
@testable import Tokenizers
import XCTest

/// The sentencepiece Unigram trainer and the `.model` writer: the written model decodes back,
/// loads in dsprep and in the real `sentencepiece` (which segments a sample exactly as dsprep
/// does), training is deterministic whatever the thread count, and the options shape the pieces.
final class UnigramTrainerTests: XCTestCase {
    static let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path

    /// The `document` column of the project's NSMC sample (3,000 CC0 reviews).
    static let documents: [String] = {
        guard let text = try? String(contentsOfFile: sample, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count > 1 ? String(fields[1]) : ""
        }
    }()

    private func train(_ options: UnigramTrainerOptions, threads: Int = 2, documents: [String] = documents) throws -> [UInt8] {
        var trainer = try UnigramTrainer(options: options, threads: threads)
        try trainer.add(documents)
        return try trainer.trainModelFile()
    }

    private func load(_ bytes: [UInt8]) throws -> (SentencePieceModelProto, SentencePieceTokenizer) {
        let proto = try bytes.withUnsafeBytes { try SentencePieceModelProto(serialized: $0, path: "trained.model") }
        return (proto, try SentencePieceTokenizer(proto: proto, path: "trained.model"))
    }

    /// Trained once per class: a debug build needs a few seconds.
    static let defaultModel = Result { () throws -> [UInt8] in
        var trainer = try UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 2000), threads: 2)
        try trainer.add(documents)
        return try trainer.trainModelFile()
    }

    func testDigammaMatchesClosedForms() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let gamma = 0.57721566490153286
        XCTAssertEqual(UnigramMaximization.digamma(1), -gamma, accuracy: 1e-12)
        XCTAssertEqual(UnigramMaximization.digamma(0.5), -gamma - 2 * log(2.0), accuracy: 1e-12)
        let harmonic9 = (1...9).reduce(0.0) { $0 + 1 / Double($1) }
        XCTAssertEqual(UnigramMaximization.digamma(10), harmonic9 - gamma, accuracy: 1e-12)
    }

    func testWrittenProtoReadsBack() throws {
        var proto = SentencePieceModelProto()
        proto.pieces = [
            .init(bytes: Array("<unk>".utf8), score: 0, type: .unknown),
            .init(bytes: Array("▁가".utf8), score: -1.25, type: .normal),
            .init(bytes: Array("[MASK]".utf8), score: 0, type: .userDefined),
        ]
        proto.trainerSpec.vocabSize = 3
        proto.trainerSpec.padID = -1
        proto.trainerSpec.bosID = 7
        proto.trainerSpec.byteFallback = true
        proto.normalizerSpec.name = "identity"
        proto.normalizerSpec.addDummyPrefix = false
        let bytes = proto.serialized(trainerFields: [.characterCoverage(0.9995), .userDefinedSymbols(["[MASK]"])])
        let back = try bytes.withUnsafeBytes { try SentencePieceModelProto(serialized: $0, path: "written") }
        XCTAssertEqual(back.pieces.map(\.bytes), proto.pieces.map(\.bytes))
        XCTAssertEqual(back.pieces.map(\.score), proto.pieces.map(\.score))
        XCTAssertEqual(back.pieces.map(\.type), proto.pieces.map(\.type))
        XCTAssertEqual(back.trainerSpec.padID, -1)
        XCTAssertEqual(back.trainerSpec.bosID, 7)
        XCTAssertEqual(back.trainerSpec.vocabSize, 3)
        XCTAssertTrue(back.trainerSpec.byteFallback)
        XCTAssertEqual(back.normalizerSpec.name, "identity")
        XCTAssertFalse(back.normalizerSpec.addDummyPrefix)
        XCTAssertTrue(back.normalizerSpec.removeExtraWhitespaces)
    }

    func testTrainedModelHasTheLayoutAndLoads() throws {
        let (proto, tokenizer) = try load(try Self.defaultModel.get())
        XCTAssertEqual(proto.pieces.count, 2000)
        XCTAssertEqual(proto.pieces[0...2].map(\.text), ["<unk>", "<s>", "</s>"])
        XCTAssertEqual(proto.pieces[0...2].map(\.type), [.unknown, .control, .control])
        XCTAssertEqual(proto.normalizerSpec.name, "nmt_nfkc")
        // The built-in charsmap (Sources/CCharsMaps) is the one sentencepiece compiles into its own models.
        let reference = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SentencePieceParityTests.byteFallbackModel)))
        let referenceProto = try reference.withUnsafeBytes { try SentencePieceModelProto(serialized: $0, path: "reference.model") }
        XCTAssertEqual(referenceProto.normalizerSpec.name, "nmt_nfkc")
        XCTAssertEqual(proto.normalizerSpec.precompiledCharsmap.count, 240_007)
        let (ours, theirs) = (proto.normalizerSpec.precompiledCharsmap, referenceProto.normalizerSpec.precompiledCharsmap)
        XCTAssertTrue(ours == theirs, "the charsmaps differ from byte \(ours.indices.first { $0 >= theirs.count || ours[$0] != theirs[$0] } ?? ours.count)")
        let normal = proto.pieces.dropFirst(3)
        XCTAssertTrue(normal.allSatisfy { $0.type == .normal && $0.score < 0 })
        // Sorted by descending score.
        XCTAssertTrue(zip(normal, normal.dropFirst()).allSatisfy { $0.score >= $1.score })
        XCTAssertEqual(Set(normal.map(\.text)).count, normal.count)
        // Pieces never hold U+2581 after their first character, nor mix Hangul with punctuation.
        for piece in normal {
            XCTAssertFalse(piece.text.unicodeScalars.dropFirst().contains("\u{2581}"), piece.text)
            XCTAssertLessThanOrEqual(piece.text.unicodeScalars.count, 16)
        }
        XCTAssertFalse(normal.contains { $0.text == "요." })
        XCTAssertTrue(normal.contains { $0.text == "▁영화" })
        // Frequent text segments into few pieces, without unknowns.
        let ids = tokenizer.encodeIDs("이 영화 정말 재밌어요")
        XCTAssertFalse(ids.contains(0))
        XCTAssertLessThan(ids.count, 12)
    }

    func testOutputIsTheSameWhateverTheThreadCount() throws {
        let documents = Array(Self.documents.prefix(1500))
        let options = UnigramTrainerOptions(vocabularySize: 1600)
        XCTAssertEqual(try train(options, threads: 1, documents: documents), try train(options, threads: 2, documents: documents))
    }

    func testOptionsShapeThePieces() throws {
        var options = UnigramTrainerOptions(vocabularySize: 1800)
        options.splitDigits = true
        options.byteFallback = true
        options.userDefinedSymbols = ["[MASK]", "ㅋㅋ"]
        options.normalization = .identity
        let documents = Array(Self.documents.prefix(1500)) + ["2024년 10점 만점에 10점 [MASK] 입니다"]
        let (proto, tokenizer) = try load(try train(options, documents: documents))
        XCTAssertEqual(proto.pieces[3...4].map(\.text), ["[MASK]", "ㅋㅋ"])
        XCTAssertEqual(proto.pieces[3...4].map(\.type), [.userDefined, .userDefined])
        XCTAssertEqual(proto.pieces[5...260].map(\.type), Array(repeating: .byte, count: 256))
        XCTAssertEqual(proto.pieces[5].text, "<0x00>")
        XCTAssertEqual(proto.pieces[260].text, "<0xFF>")
        XCTAssertTrue(proto.trainerSpec.splitDigits)
        XCTAssertTrue(proto.trainerSpec.byteFallback)
        XCTAssertEqual(proto.normalizerSpec.name, "identity")
        XCTAssertTrue(proto.normalizerSpec.precompiledCharsmap.isEmpty)
        let digits = proto.pieces.filter { $0.type == .normal && $0.text.unicodeScalars.contains { ("0"..."9").contains($0) } }
        XCTAssertFalse(digits.isEmpty)
        XCTAssertTrue(digits.allSatisfy { $0.text.unicodeScalars.count == 1 }, "\(digits.map(\.text))")
        XCTAssertTrue(tokenizer.encodePieces("ㅋㅋ [MASK]").contains("[MASK]"))
        // An unseen character falls back to its UTF-8 bytes.
        XCTAssertEqual(tokenizer.encodePieces("鬱").suffix(3), ["<0xE9>", "<0xAC>", "<0xB1>"])
    }

    func testWithoutWhitespaceSplittingPiecesSpanWords() throws {
        var options = UnigramTrainerOptions(vocabularySize: 1600)
        options.splitByWhitespace = false
        let (proto, tokenizer) = try load(try train(options, documents: Array(Self.documents.prefix(1500))))
        let normal = proto.pieces.filter { $0.type == .normal }.map(\.text)
        XCTAssertTrue(normal.contains { $0.unicodeScalars.dropFirst().contains("\u{2581}") })
        // U+2581 is never last in a multi-character piece.
        XCTAssertFalse(normal.contains { $0.unicodeScalars.count > 1 && $0.hasSuffix("\u{2581}") })
        XCTAssertFalse(tokenizer.encodeIDs("이 영화 정말 재밌어요").isEmpty)
    }

    func testTooSmallVocabularyIsAnInputError() {
        XCTAssertThrowsError(try train(UnigramTrainerOptions(vocabularySize: 50), documents: Array(Self.documents.prefix(200)))) {
            XCTAssertTrue("\($0)".contains("required characters"), "\($0)")
        }
        XCTAssertThrowsError(try train(UnigramTrainerOptions(vocabularySize: 60_000), documents: Array(Self.documents.prefix(200)))) {
            XCTAssertTrue("\($0)".contains("too high"), "\($0)")
        }
    }

    /// The real sentencepiece loads the model, reads the options back, and segments the sample
    /// exactly as dsprep does.
    func testSentencePieceLoadsTheModelAndSegmentsIdentically() throws {
        _ = try TestEnvironment.requirePython()
        let work = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let modelBytes = try Self.defaultModel.get()
        let model = work.appendingPathComponent("trained.model")
        try Data(modelBytes).write(to: model)
        let texts = Array(Self.documents.suffix(1000)) + ["ＡＢＣ　ｶﾀｶﾅ ㅋㅋㅋ  \t 2024년 😀 鬱", "", "   "]
        let input = work.appendingPathComponent("texts.txt")
        try Data(texts.joined(separator: "\n").appending("\n").utf8).write(to: input)
        let script = """
            import sys, sentencepiece as spm
            from sentencepiece import sentencepiece_model_pb2 as pb
            proto = pb.ModelProto(); proto.ParseFromString(open(sys.argv[1], "rb").read())
            t = proto.trainer_spec
            print(t.model_type, t.vocab_size, round(t.character_coverage, 4), t.max_sentencepiece_length, t.split_by_whitespace, proto.normalizer_spec.name)
            sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
            for line in open(sys.argv[2], encoding="utf-8").read().split("\\n")[:-1]:
                print(" ".join(map(str, sp.encode(line))))
            """
        let data = try PythonPeer.run(["-c", script, model.path, input.path])
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "1 2000 0.9995 16 True nmt_nfkc")
        let (_, tokenizer) = try load(modelBytes)
        XCTAssertGreaterThanOrEqual(lines.count, texts.count + 1)
        for (index, text) in texts.enumerated() where index + 1 < lines.count {
            let expected = lines[index + 1].split(separator: " ").compactMap { Int32($0) }
            XCTAssertEqual(tokenizer.encodeIDs(text), expected, text)
        }
    }
}
