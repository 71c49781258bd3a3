@testable import Tokenizers
import XCTest

/// The Unigram engine on hand-made vocabularies, checked against what sentencepiece's rules
/// (src/unigram_model.cc, 0.2.3) give by hand.
final class UnigramModelTests: XCTestCase {
    private func model(_ pieces: [(String, Float, UnigramModel.PieceType)]) throws -> UnigramModel {
        try UnigramModel(pieces: pieces.map { UnigramModel.Piece(bytes: Array($0.0.utf8), score: $0.1, type: $0.2) },
                         byteFallback: false, path: "test")
    }

    private func segment(_ model: UnigramModel, _ text: String) -> [String] {
        let workspace = SentencePieceWorkspace()
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            model.segment(buffer, bestPath: workspace.bestPath, into: workspace.segments)
            return workspace.segments.buffer.map { String(decoding: bytes[Int($0.start)..<Int($0.end)], as: UTF8.self) }
        }
    }

    func testViterbiPicksHighestTotalScore() throws {
        // "ab" alone (-1) beats "a" + "b" (-1.5 + -1.5).
        let unigram = try model([("<unk>", 0, .unknown), ("a", -1.5, .normal), ("b", -1.5, .normal), ("ab", -1, .normal)])
        XCTAssertEqual(segment(unigram, "abab"), ["ab", "ab"])
        XCTAssertEqual(unigram.unknownScore, -11.5)
    }

    func testUnknownCharactersAndUnusedPieces() throws {
        // "c" is unknown (score minScore - 10); the unused "ab" is never emitted.
        let unigram = try model([("<unk>", 0, .unknown), ("a", -1, .normal), ("b", -1, .normal), ("ab", 0, .unused)])
        XCTAssertEqual(segment(unigram, "abc"), ["a", "b", "c"])
        let workspace = SentencePieceWorkspace()
        Array("c한".utf8).withUnsafeBufferPointer {
            unigram.segment($0, bestPath: workspace.bestPath, into: workspace.segments)
        }
        // One unknown per character (sentencepiece merges the run later, when emitting ids).
        XCTAssertEqual(workspace.segments.buffer.map(\.id), [0, 0])
        XCTAssertEqual(workspace.segments.buffer.map(\.end), [1, 4])
    }

    func testUserDefinedPieceBeatsNormalPieces() throws {
        // A user-defined piece scores 0.1 * (bytes - 1) = 0.1, above "x" + "y" at 0 each.
        let unigram = try model([("<unk>", 0, .unknown), ("x", 0, .normal), ("y", 0, .normal), ("xy", -100, .userDefined)])
        XCTAssertEqual(segment(unigram, "xyx"), ["xy", "x"])
    }

    func testRejectsBadVocabularies() {
        XCTAssertThrowsError(try model([("a", -1, .normal)]))  // no unknown piece
        XCTAssertThrowsError(try model([("<unk>", 0, .unknown), ("a", -1, .normal), ("a", -2, .normal)]))
        XCTAssertThrowsError(try model([("<unk>", 0, .unknown), ("", -1, .normal)]))
        XCTAssertThrowsError(try model([("<unk>", 0, .unknown), ("a", .nan, .normal)]))
    }

    func testDoubleArrayTrieFindsEveryKeyAndNoOther() {
        let keys = ["a", "ab", "abc", "b", "한", "한국", "ㅋ", "\u{2581}a"].enumerated().map { (Array($0.element.utf8), Int32($0.offset)) }
        let trie = DoubleArrayTrie(keys: keys)
        for (bytes, value) in keys { XCTAssertEqual(trie.value(of: bytes), value) }
        XCTAssertNil(trie.value(of: Array("ac".utf8)))
        XCTAssertNil(trie.value(of: Array("한국어".utf8)))
        XCTAssertNil(trie.value(of: []))
        Array("abcd".utf8).withUnsafeBufferPointer { XCTAssertEqual(trie.longestPrefix($0.baseAddress!, count: 4), 3) }
    }
}
