import Foundation
@testable import Tokenizers
import XCTest

/// `CountedTexts`: counts of consecutive parts of a corpus, appended in order, are the counts of
/// the whole (what `dsprep vocab count`/`merge` rely on), and they survive their bytes.
final class CountedTextsTests: XCTestCase {
    private let texts = (0..<300).map { "문장 \($0 % 37) 번째 영화 리뷰 \($0 % 11)입니다. 재미\($0 % 5)있어요! \($0)" }

    private func wordPieceCounts(_ texts: ArraySlice<String>) throws -> CountedTexts {
        var counter = WordCounter(normalizer: WordPieceTrainer().normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: 2)
        try counter.add(Array(texts))
        return counter.counted
    }

    private func unigramCounts(_ texts: ArraySlice<String>) throws -> CountedTexts {
        var trainer = try UnigramTrainer(options: UnigramTrainerOptions(vocabularySize: 200), threads: 2)
        try trainer.add(Array(texts))
        return trainer.counted
    }

    private func assertSame(_ a: CountedTexts, _ b: CountedTexts, _ context: String) {
        XCTAssertEqual(a.texts, b.texts, context)
        XCTAssertEqual(a.words.count, b.words.count, context)
        XCTAssertEqual(a.words.counts, b.words.counts, context)
        for index in 0..<min(a.words.count, b.words.count) { XCTAssertEqual(a.words.word(index), b.words.word(index), context) }
    }

    func testPartsAppendedInOrderAreTheWhole() throws {
        for (name, count) in [("wordpiece", wordPieceCounts), ("unigram", unigramCounts)] {
            let whole = try count(texts[...])
            var parts = CountedTexts()
            for cut in stride(from: 0, to: texts.count, by: 70) { parts.append(try count(texts[cut..<min(cut + 70, texts.count)])) }
            assertSame(parts, whole, name)
        }
    }

    func testBytesRoundTripAndDamageIsRefused() throws {
        let counts = try wordPieceCounts(texts[...])
        let bytes = counts.encoded() + Data([1, 2, 3])
        bytes.withUnsafeBytes { raw in
            var offset = 0
            guard let read = CountedTexts.decode(raw, at: &offset) else { return XCTFail("does not decode") }
            assertSame(read, counts, "round trip")
            XCTAssertEqual(offset, raw.count - 3, "stops at its end")
            var cutOffset = 0
            XCTAssertNil(CountedTexts.decode(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 10)]), at: &cutOffset))
            XCTAssertEqual(cutOffset, 0)
        }
    }
}
