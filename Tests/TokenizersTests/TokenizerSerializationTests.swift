import DSPrepSupport
import Foundation
@testable import Tokenizers
import TestSupport
import XCTest

final class TokenizerSerializationTests: XCTestCase {
    private func vocabulary(_ file: String) throws -> String {
        try TestEnvironment.sharedFile("vocab/" + file)
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-\(UUID().uuidString)-\(name)").path
    }

    func testSavedTokenizerReloadsAndEncodesIdentically() throws {
        let original = try TokenizerJSON.load(path: try vocabulary("minilm-l6-tokenizer.json"))
        let path = temporaryPath("tokenizer.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TokenizerJSON.save(original, to: path)
        let reloaded = try TokenizerJSON.load(path: path)
        XCTAssertEqual(TokenizerJSON.document(for: reloaded), TokenizerJSON.document(for: original))
        for line in try TokenizerParityTests.inputLines() {
            XCTAssertEqual(try reloaded.encode(line), try original.encode(line), line)
        }
    }

    /// The saved file must be one HF tokenizers loads and encodes with identically.
    func testHFTokenizersLoadsTheSavedFile() throws {
        _ = try TestEnvironment.requirePython()
        let source = try vocabulary("krbert-char16424.txt")
        let tokenizer = try VocabularyText.load(path: source, lowercase: false)
        let path = temporaryPath("tokenizer.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TokenizerJSON.save(tokenizer, to: path)
        let inputs = TokenizerParityTests.fixtures.appendingPathComponent("tokenizer-inputs.txt").path
        let output = try PythonPeer.run(["-c", """
            import json, sys
            from tokenizers import Tokenizer
            tok = Tokenizer.from_file(sys.argv[1])
            for line in open(sys.argv[2], encoding="utf-8", newline="\\n"):
                e = tok.encode(line[:-1] if line.endswith("\\n") else line)
                print(json.dumps([e.ids, [list(o) for o in e.offsets]]))
            """, path, inputs])
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        let inputsText = try TokenizerParityTests.inputLines()
        XCTAssertEqual(lines.count, inputsText.count)
        for (line, text) in zip(lines, inputsText) {
            let encoding = try tokenizer.encode(text)
            let expected = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[Any]]
            XCTAssertEqual(expected?[0] as? [Int], encoding.ids.map(Int.init), text)
            XCTAssertEqual(expected?[1] as? [[Int]], encoding.offsets.map { [Int($0.start), Int($0.end)] }, text)
        }
    }

    func testUnsupportedComponentsAreNamed() throws {
        let json = #"{"normalizer": {"type": "Nmt"}, "model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(json, path: "t.json"), path: "t.json")) { error in
            XCTAssertTrue("\(error)".contains("unsupported normalizer type \"Nmt\""), "\(error)")
        }
        let bpe = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(bpe, path: "u.json"), path: "u.json")) { error in
            XCTAssertTrue("\(error)".contains("unsupported model type \"BPE\""), "\(error)")
        }
    }

    /// The shipped tokenizer.json was written by this serializer: reading and writing it again
    /// must give the same bytes (the layout is part of what `tools/reproduce-vocab.sh` checks).
    func testShippedTokenizerJSONRoundTripsByteForByte() throws {
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("vocab/dsprep-ko-wordpiece-16k.json").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try JSONValue.parse(text, path: path).serialized(), text)
    }

    func testMalformedJSONNamesLineAndColumn() {
        XCTAssertThrowsError(try JSONValue.parse("{\n  \"a\": [1,\n  }", path: "bad.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("bad.json:3:3"), "\(error)")
        }
    }

    func testTruncationWithStrideMakesOverflowWindows() throws {
        // Windows of 4 tokens moving by 4 - 2 = 2 (HF Encoding::truncate), specials added to each.
        // Expected values checked with HF tokenizers 0.23.3 (same vocabulary, enable_truncation(6, stride=2)).
        let model = WordPiece(vocabulary: [("[UNK]", 0), ("[CLS]", 1), ("[SEP]", 2)] + (0..<10).map { ("w\($0)", Int32(3 + $0)) })
        let template = try TemplateProcessing(single: "[CLS] $A [SEP]", pair: "[CLS] $A [SEP] $B:1 [SEP]:1",
                                              specialTokens: [.init(id: "[CLS]", ids: [1], tokens: ["[CLS]"]),
                                                              .init(id: "[SEP]", ids: [2], tokens: ["[SEP]"])])
        let tokenizer = try Tokenizer(normalizer: nil, preTokenizer: WhitespaceSplit(), model: model, postProcessor: template,
                                      decoder: WordPieceDecoder(), truncation: Truncation(maxLength: 6, stride: 2))
        let encoding = try tokenizer.encode("w0 w1 w2 w3 w4 w5 w6")
        XCTAssertEqual(encoding.ids, [1, 3, 4, 5, 6, 2])
        XCTAssertEqual(encoding.overflowing.map(\.ids), [[1, 5, 6, 7, 8, 2], [1, 7, 8, 9, 2]])
        // Not added tokens, so not "special" for decoding (HF skips only added special tokens).
        XCTAssertEqual(tokenizer.decode(encoding.ids), "[CLS] w0 w1 w2 w3 [SEP]")
    }

    /// Expected values checked with HF tokenizers 0.23.3 (enable_padding(direction="left", pad_to_multiple_of=4)).
    func testPaddingOptions() throws {
        let model = WordPiece(vocabulary: [("[PAD]", 0), ("[UNK]", 1), ("a", 2)])
        let tokenizer = try Tokenizer(normalizer: nil, preTokenizer: WhitespaceSplit(), model: model, postProcessor: nil,
                                      decoder: nil, padding: Padding(strategy: .batchLongest, direction: .left, padToMultipleOf: 4))
        let batch = try tokenizer.encodeBatch(["a", "a a a a a"])
        XCTAssertEqual(batch.map(\.ids), [[0, 0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 2, 2, 2, 2, 2]])
        XCTAssertEqual(batch[0].attentionMask, [0, 0, 0, 0, 0, 0, 0, 1])
    }
}
