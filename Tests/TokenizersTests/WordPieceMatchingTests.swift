import Foundation
import Tokenizers
import TestSupport
import XCTest

/// WordPiece's greedy longest-match-first on small hand-made vocabularies (expected pieces
/// worked out by hand from the algorithm HF documents: longest vocabulary prefix first, "##"
/// on later pieces, the whole word unknown when a part matches nothing), on both the fused
/// BERT path and the stage-by-stage path; and the flat `encodeIDs` path against `encode`.
final class WordPieceMatchingTests: XCTestCase {
    private static let vocabulary: [(String, Int32)] = [
        ("[UNK]", 0), ("un", 1), ("##aff", 2), ("##able", 3), ("una", 4), ("##ffable", 5), ("a", 6), ("##b", 7),
        ("abcd", 8), ("😀", 9), ("##😀", 10), ("😀😀x", 11),
    ]

    private func tokenizers(_ model: WordPiece) throws -> [(String, Tokenizer)] {
        let normalizer = BertNormalizer(lowercase: false)
        return [
            ("fused", try Tokenizer(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
                                    postProcessor: nil, decoder: nil)),
            // A Sequence normalizer turns the fused path off.
            ("generic", try Tokenizer(normalizer: NormalizerSequence([normalizer]), preTokenizer: BertPreTokenizer(),
                                      model: model, postProcessor: nil, decoder: nil)),
        ]
    }

    private func check(_ model: WordPiece, _ text: String, ids: [Int32], offsets: [[Int32]],
                       file: StaticString = #filePath, line: UInt = #line) throws {
        for (path, tokenizer) in try tokenizers(model) {
            let encoding = try tokenizer.encode(text, addSpecialTokens: false)
            XCTAssertEqual(encoding.ids, ids, "\(path): \(text)", file: file, line: line)
            XCTAssertEqual(encoding.offsets.map { [$0.start, $0.end] }, offsets, "\(path): \(text)", file: file, line: line)
        }
    }

    func testLongestPrefixThenContinuations() throws {
        let model = WordPiece(vocabulary: Self.vocabulary)
        // una|##ffable beats un|##aff|##able; "abc" walks a→ab→abc inside "abcd" but only "a"
        // is an entry, and "##c" is missing, so the whole word is unknown.
        try check(model, "unaffable ab abc abcd", ids: [4, 5, 6, 7, 0, 8],
                  offsets: [[0, 3], [3, 9], [10, 11], [11, 12], [13, 16], [17, 21]])
    }

    func testScalarsAboveTheBasicPlane() throws {
        let model = WordPiece(vocabulary: Self.vocabulary)
        try check(model, "😀😀 😀😀x 😀x", ids: [9, 10, 11, 0], offsets: [[0, 1], [1, 2], [3, 6], [7, 9]])
    }

    func testMaxInputCharsPerWord() throws {
        let model = WordPiece(vocabulary: Self.vocabulary, maxInputCharsPerWord: 3)
        try check(model, "abcd una", ids: [0, 4], offsets: [[0, 4], [5, 8]])
    }

    func testEmptyContinuationPrefix() throws {
        let model = WordPiece(vocabulary: [("[UNK]", 0), ("a", 1), ("b", 2), ("ab", 3)], continuingSubwordPrefix: "")
        try check(model, "abab ba", ids: [3, 3, 2, 1], offsets: [[0, 2], [2, 4], [5, 6], [6, 7]])
    }

    /// Added tokens typed in the text become their ids (the fused path hands such text to the
    /// added-token split), also when the token starts above the BMP.
    func testAddedTokensInTheText() throws {
        let model = WordPiece(vocabulary: Self.vocabulary)
        let added = [AddedToken(id: 12, content: "[X]"), AddedToken(id: 13, content: "😀!")]
        for normalizer in [BertNormalizer(lowercase: false) as Normalizer, NormalizerSequence([BertNormalizer(lowercase: false)])] {
            let tokenizer = try Tokenizer(normalizer: normalizer, preTokenizer: BertPreTokenizer(), model: model,
                                          postProcessor: nil, decoder: nil, addedTokens: added)
            let encoding = try tokenizer.encode("a[X]ab 😀!😀 [ X]", addSpecialTokens: false)
            // "[ X]" is no added token: "[" and "]" are punctuation words, unknown here, as is "X".
            XCTAssertEqual(encoding.ids, [6, 12, 6, 7, 13, 9, 0, 0, 0])
            XCTAssertEqual(encoding.offsets.map { [$0.start, $0.end] },
                           [[0, 1], [1, 4], [4, 5], [5, 6], [7, 9], [9, 10], [11, 12], [13, 14], [14, 15]])
        }
    }

    func testMissingUnknownTokenIsAnError() throws {
        let model = WordPiece(vocabulary: [("a", 0)])
        for (path, tokenizer) in try tokenizers(model) {
            XCTAssertThrowsError(try tokenizer.encode("b", addSpecialTokens: false), path)
        }
    }

    /// `encodeIDs` (raw UTF-8 in, flat buffers out: what `dsprep encode`/`tokenize` run) gives
    /// the ids and offsets `encode` gives, on the parity inputs, for every shipped WordPiece tokenizer.
    func testEncodeIDsMatchesEncode() throws {
        let inputs = try TokenizerParityTests.inputLines()
        for file in ["krbert-char16424.json", "minilm-l6-tokenizer.json", "bert-base-uncased.txt"] {
            let loaded = try TokenizerLoader.load(path: try TestEnvironment.sharedFile("vocab/" + file))
            let tokenizer = try XCTUnwrap(loaded as? Tokenizer)
            XCTAssertTrue(tokenizer.supportsEncodeIDs, file)
            var workspace = Tokenizer.Workspace()
            for input in inputs {
                let expected = try tokenizer.encode(input)
                var text = input
                try text.withUTF8 {
                    try tokenizer.encodeIDs(utf8: UnsafeRawBufferPointer($0), addSpecialTokens: true, workspace: &workspace)
                }
                XCTAssertEqual(Array(workspace.ids), expected.ids, "\(file): \(input.debugDescription)")
                XCTAssertEqual(zip(workspace.starts, workspace.ends).map { [$0, $1] }, expected.offsets.map { [$0.start, $0.end] },
                               "\(file): \(input.debugDescription)")
            }
        }
    }
}
