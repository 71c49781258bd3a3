import Foundation
@testable import Tokenizers
import TestSupport
import XCTest

/// The WordPiece trainer: HF WordPieceTrainer conventions on small corpora worked out by hand,
/// determinism, the one-pass word splitter against the generic pipeline, and (with
/// DSPREP_PYTHON and ../shared) HF tokenizers loading and encoding a trained file like dsprep.
final class WordPieceTrainerTests: XCTestCase {
    private func counts(_ texts: [String], threads: Int = 1) throws -> WordCounts {
        var counter = WordCounter(normalizer: WordPieceTrainer().normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: threads)
        try counter.add(texts)
        return counter.words
    }

    private func train(_ texts: [String], size: Int, configure: (inout WordPieceTrainer) -> Void = { _ in }) throws -> [String] {
        var trainer = WordPieceTrainer(vocabularySize: size)
        configure(&trainer)
        return try trainer.train(try counts(texts))
    }

    private static let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    func testVocabularyOrderSpecialsAlphabetContinuationsMerges() throws {
        // Words: ab ×3, cd ×1. Alphabet a b c d; continuations ##b then ##d as the words use
        // them; the best pair (a, ##b) ×3 merges into "ab", then (c, ##d) ×1 into "cd".
        let vocabulary = try train(["ab ab", "ab cd"], size: 13)
        XCTAssertEqual(vocabulary, Self.specials + ["a", "b", "c", "d", "##b", "##d", "ab", "cd"])
    }

    func testMergeOfTwoContinuationsKeepsOnePrefix() throws {
        // "abc" ×2: (a, ##b) and (##b, ##c) tie at 2; the smaller pair (a, ##b) wins (ids 5, 8),
        // then (ab, ##c) makes "abc".
        let vocabulary = try train(["abc abc"], size: 12)
        XCTAssertEqual(vocabulary, Self.specials + ["a", "b", "c", "##b", "##c", "ab", "abc"])
        XCTAssertEqual(try train(["abc abc"], size: 11).last, "ab")
    }

    func testMinFrequencyStopsMerging() throws {
        let vocabulary = try train(["ab ab", "ab cd"], size: 100) { $0.minFrequency = 2 }
        XCTAssertEqual(vocabulary.last, "ab")
        XCTAssertFalse(vocabulary.contains("cd"))
    }

    func testLimitAlphabetKeepsTheMostFrequentAndDropsTheRestFromWords() throws {
        // a ×4, b ×3, x ×1: with limit 2, x is not in the alphabet and vanishes from "axb".
        let vocabulary = try train(["ab ab axb", "a"], size: 100) { $0.limitAlphabet = 2 }
        XCTAssertEqual(Array(vocabulary.prefix(8)), Self.specials + ["a", "b", "##b"])
        XCTAssertFalse(vocabulary.contains { $0.contains("x") })
        XCTAssertEqual(vocabulary.last, "ab")
    }

    func testInitialAlphabetIsAlwaysKept() throws {
        // z is never seen but always kept; of a and b (tied) the limit keeps the smaller.
        let vocabulary = try train(["ab ab"], size: 100) { $0.initialAlphabet = [0x7A]; $0.limitAlphabet = 2 }
        XCTAssertEqual(Array(vocabulary.prefix(7)), Self.specials + ["a", "z"])
    }

    func testOneScalarSplitterMatchesTheGenericPipeline() throws {
        let texts = [
            "영화 정말 재밌다!! ㅋㅋㅋ 10점", "tab\there\u{0}nul\u{7}bell", "漢字と かな、中文。", "naïve café ﬁne",
            "e\u{301}\u{302} combining", "emoji 🙂🙂 x", "(paren) [bracket] {brace} \"quote\" 'single'", "   ", "",
            "line\u{2028}separator\u{00A0}nbsp\u{3000}ideographic", "\u{FEFF}bom and \u{200B}zero width",
        ]
        let counter = WordCounter(normalizer: WordPieceTrainer().normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: 1)
        var fast = counter, generic = counter.usingGenericPipeline()
        try fast.add(texts)
        try generic.add(texts)
        XCTAssertEqual(fast.words.count, generic.words.count)
        for index in 0..<min(fast.words.count, generic.words.count) {
            XCTAssertEqual(fast.words.word(index), generic.words.word(index), "word \(index)")
            XCTAssertEqual(fast.words.counts[index], generic.words.counts[index], "word \(index)")
        }
    }

    func testUncasedCountsLowercasedWordsWithoutAccentsAndSavesThatNormalizer() throws {
        var trainer = WordPieceTrainer(vocabularySize: 100)
        trainer.normalizer.lowercase = true
        trainer.normalizer.stripAccents = true
        var counter = WordCounter(normalizer: trainer.normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: 1)
        try counter.add(["Café CAFE café"])
        XCTAssertEqual(counter.words.count, 1)
        XCTAssertEqual(counter.words.counts, [3])
        let tokenizer = try trainer.tokenizer(vocabulary: try trainer.train(counter.words))
        XCTAssertEqual(try tokenizer.encode("CAFÉ", addSpecialTokens: false).tokens, ["cafe"])
    }

    func testSameInputSameBytesWhateverTheThreads() throws {
        let texts = (0..<400).map { "문장 \($0 % 37) 번째 영화 리뷰 \($0 % 11)입니다. 재미\($0 % 5)있어요!" }
        var outputs: [Data] = []
        for threads in [1, 2, 3] {
            let trainer = WordPieceTrainer(vocabularySize: 200)
            let vocabulary = try trainer.train(try counts(texts, threads: threads))
            let document = TokenizerJSON.document(for: try trainer.tokenizer(vocabulary: vocabulary))
            outputs.append(Data(document.serialized().utf8))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
    }

    func testTrainedTokenizerRoundTripsThroughJSON() throws {
        let trainer = WordPieceTrainer(vocabularySize: 60)
        let vocabulary = try trainer.train(try counts(["영화가 정말 재밌다", "영화는 별로였다", "정말 최고의 영화"]))
        let tokenizer = try trainer.tokenizer(vocabulary: vocabulary)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-trainer-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TokenizerJSON.save(tokenizer, to: path)
        let loaded = try TokenizerJSON.load(path: path)
        let text = "영화가 최고였다 [SEP] 별로"
        XCTAssertEqual(try loaded.encode(text).ids, try tokenizer.encode(text).ids)
        XCTAssertEqual(try tokenizer.encode("영화").tokens, ["[CLS]", "영화", "[SEP]"])
    }

    /// vocab/: the default tokenizer is a plain copy of the Korean WordPiece, which loads, has
    /// 16,000 tokens and lists them in vocab.txt order (tools/reproduce-vocab.sh retrains it).
    func testShippedKoreanWordPieceIsTheDefaultTokenizer() throws {
        let folder = TestEnvironment.repositoryRoot.appendingPathComponent("vocab")
        let json = try Data(contentsOf: folder.appendingPathComponent("dsprep-ko-wordpiece-16k.json"))
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("default-tokenizer.json")), json)
        let tokenizer = try TokenizerJSON.load(path: folder.appendingPathComponent("dsprep-ko-wordpiece-16k.json").path)
        XCTAssertEqual(tokenizer.vocabularySize, 16000)
        let lines = try String(contentsOf: folder.appendingPathComponent("dsprep-ko-wordpiece-16k.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertEqual(lines.count, 16000)
        XCTAssertEqual(lines.enumerated().filter { tokenizer.token(of: Int32($0.offset)) != $0.element }.count, 0)
        XCTAssertEqual(try tokenizer.encode("영화").tokens.first, "[CLS]")
    }

    /// HF tokenizers loads a file dsprep trained on 3,000 NSMC documents and encodes 500 others
    /// exactly as dsprep does; HF's own trainer on the same documents learns the same vocabulary
    /// (as a set: the ids of `##` symbols follow HF's hash order).
    func testHFLoadsAndEncodesLikeDSPrepAndLearnsTheSameVocabulary() throws {
        _ = try TestEnvironment.requirePython()
        let train = try TestEnvironment.requireShared().appendingPathComponent("data/nsmc/train.tsv").path
        let lines = try String(contentsOfFile: train, encoding: .utf8).split(separator: "\n").dropFirst().prefix(3500)
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "" }
        let trainingDocs = Array(lines.prefix(3000)), testDocs = Array(lines.suffix(500))

        let trainer = WordPieceTrainer(vocabularySize: 2000)
        let vocabulary = try trainer.train(try counts(trainingDocs, threads: 2))
        let tokenizer = try trainer.tokenizer(vocabulary: vocabulary)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-trainer-hf-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try TokenizerJSON.save(tokenizer, to: work.appendingPathComponent("dsprep.json").path)
        try (trainingDocs.joined(separator: "\n") + "\n").write(to: work.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try (testDocs.joined(separator: "\n") + "\n").write(to: work.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)

        let script = """
            import json, sys
            from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
            work = sys.argv[1]
            read = lambda name: open(f"{work}/{name}", encoding="utf-8", newline="\\n").read().split("\\n")[:-1]
            ours = Tokenizer.from_file(f"{work}/dsprep.json")
            ids = [e.ids for e in ours.encode_batch(read("test.txt"))]
            hf = Tokenizer(models.WordPiece(unk_token="[UNK]"))
            hf.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
            hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            hf.train_from_iterator(read("train.txt"), trainers.WordPieceTrainer(
                vocab_size=2000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False))
            vocab = sorted(hf.get_vocab(), key=hf.get_vocab().get)
            print(json.dumps({"ids": ids, "vocab": vocab}))
            """
        let printed = try PythonPeer.json(["-c", script, work.path])
        let reference = try XCTUnwrap(printed as? [String: Any])
        let hfIDs = try XCTUnwrap(reference["ids"] as? [[Int]])
        let hfVocabulary = try XCTUnwrap(reference["vocab"] as? [String])
        XCTAssertEqual(hfIDs.count, testDocs.count)
        var mismatches = 0
        for (doc, expected) in zip(testDocs, hfIDs) where try tokenizer.encode(doc).ids.map(Int.init) != expected { mismatches += 1 }
        XCTAssertEqual(mismatches, 0, "\(mismatches) of \(testDocs.count) documents encode differently in HF")
        XCTAssertEqual(Array(vocabulary.prefix(5)), Array(hfVocabulary.prefix(5)))
        XCTAssertEqual(Set(vocabulary), Set(hfVocabulary))
    }
}
