import Foundation
@testable import Tokenizers
import DSPrepSupport
import TestSupport
import XCTest

/// Unigram tokenizer.json files: dsprep writes one for a sentencepiece model with the same
/// components HF tokenizers serializes for that recipe, reads it back, and encodes as HF
/// tokenizers 0.23.3 does (fixtures by tools/fixtures/generate-unigram-fixtures.py).
final class UnigramTokenizerJSONTests: XCTestCase {
    static let fixtures = SentencePieceParityTests.fixtures

    struct Record: Decodable {
        var text: String
        var ids: [Int32]
        var tokens: [String]
        var offsets: [[Int32]]
        var decoded: String
    }

    private func records(_ name: String) throws -> [Record] {
        try JSONLines.decode(Record.self, at: Self.fixtures.appendingPathComponent(name))
    }

    private func model(_ name: String) throws -> SentencePieceTokenizer {
        switch name {
        case "nsmc16k":
            return try SentencePieceTokenizer.load(path: try TestEnvironment.sharedFile("vocab/nsmc-unigram-16k.model"))
        default:
            return try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        }
    }

    /// The written file, read back: what a user of the file gets.
    private func writtenAndReloaded(_ name: String) throws -> Tokenizer {
        let path = NSTemporaryDirectory() + "dsprep-unigram-\(name)-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model(name).saveTokenizerJSON(to: path)
        return try TokenizerJSON.load(path: path)
    }

    private func check(_ tokenizer: Tokenizer, _ fixture: String, decoded: Bool) throws {
        let records = try records(fixture)
        XCTAssertFalse(records.isEmpty)
        for (line, record) in records.enumerated() {
            let context = "\(fixture) line \(line + 1): \(record.text.debugDescription)"
            let encoding = try tokenizer.encode(record.text, addSpecialTokens: false)
            XCTAssertEqual(encoding.ids, record.ids, context)
            // An unknown token is named by the text it covers, as HF does.
            XCTAssertEqual(encoding.tokens, record.tokens, context)
            XCTAssertEqual(encoding.offsets.map { [$0.start, $0.end] }, record.offsets, context)
            if decoded { XCTAssertEqual(tokenizer.decode(record.ids, skipSpecialTokens: false), record.decoded, context) }
        }
    }

    func testWrittenComponentsAreWhatHFSerializes() throws {
        let expected = try JSONValue.parse(String(contentsOf: Self.fixtures.appendingPathComponent("hf-unigram-pipeline.json"),
                                                  encoding: .utf8), path: "hf-unigram-pipeline.json")
        let document = TokenizerJSON.document(for: try TokenizerJSON.unigramTokenizer(try model("bytefallback").proto, path: "test"))
        func withoutCharsmap(_ json: JSONValue) -> JSONValue {
            guard case let .object(members) = json else { return json }
            return .object(members.map { key, value in
                if key == "precompiled_charsmap" { return (key, .string("(the model's charsmap)")) }
                if case let .array(items) = value { return (key, .array(items.map(withoutCharsmap))) }
                return (key, withoutCharsmap(value))
            })
        }
        for key in ["normalizer", "pre_tokenizer", "post_processor", "decoder"] {
            XCTAssertEqual(document[key].map(withoutCharsmap), expected[key], key)
        }
        guard case let .object(modelMembers)? = document["model"] else { return XCTFail("no model object") }
        XCTAssertEqual(JSONValue.object(modelMembers.filter { $0.0 != "vocab" }), expected["model"])
    }

    func testCharsmapSurvivesTheRoundTrip() throws {
        let proto = try model("bytefallback").proto
        let map = try PrecompiledCharsMap(blob: proto.normalizerSpec.precompiledCharsmap, path: "test")
        XCTAssertEqual(map.blob, proto.normalizerSpec.precompiledCharsmap)
    }

    func testAdversarialUnicodeMatchesHFTokenizers() throws {
        try check(try writtenAndReloaded("nsmc16k"), "hf-adversarial-nsmc16k.jsonl", decoded: true)
    }

    func testReviewsMatchHFTokenizers() throws {
        try check(try writtenAndReloaded("nsmc16k"), "hf-reviews-nsmc16k.jsonl", decoded: true)
    }

    func testTiesBreakAsHFReadsItsScores() throws {
        try check(try writtenAndReloaded("nsmc16k"), "hf-ties-nsmc16k.jsonl", decoded: false)
    }

    func testScoresAreReadAsSerdeJSONReadsThem() {
        // serde_json without float_roundtrip: 11112524032592773 as f64 (rounded), / 1e15.
        XCTAssertEqual(TokenizerJSON.huggingFaceParsed(-11.112524032592773), Double(11_112_524_032_592_773) / -1e15)
        XCTAssertNotEqual(TokenizerJSON.huggingFaceParsed(-11.112524032592773), -11.112524032592773)
        XCTAssertEqual(TokenizerJSON.huggingFaceParsed(-9.564846992492676), -9.564846992492676)
        XCTAssertEqual(TokenizerJSON.huggingFaceParsed(0), 0)
        XCTAssertEqual(TokenizerJSON.huggingFaceParsed(-1e-05), -1.0 / 1e5)
    }

    func testByteFallbackMatchesHFTokenizers() throws {
        let tokenizer = try writtenAndReloaded("bytefallback")
        // The written decoder (transformers' byte-fallback Sequence) turns <0xNN> runs into text.
        try check(tokenizer, "hf-adversarial-bytefallback.jsonl", decoded: true)
        try check(tokenizer, "hf-reviews-bytefallback.jsonl", decoded: true)
    }

    func testUnsupportedPiecesAreNamed() throws {
        // Regexes are supported; one ICU cannot compile is named.
        let regex = #"{"type": "Replace", "pattern": {"Regex": "(\\s+"}, "content": " "}"#
        let json = #"{"normalizer": \#(regex), "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(json, path: "t.json"), path: "t.json")) { error in
            XCTAssertTrue("\(error)".contains("regex"), "\(error)")
        }
        let badVocab = #"{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>"]]}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(badVocab, path: "t.json"), path: "t.json")) { error in
            XCTAssertTrue("\(error)".contains("vocab entry 0"), "\(error)")
        }
        let badUnk = #"{"model": {"type": "Unigram", "unk_id": 3, "vocab": [["<unk>", 0.0]]}}"#
        XCTAssertThrowsError(try TokenizerJSON.make(try JSONValue.parse(badUnk, path: "t.json"), path: "t.json"))
    }

    func testRunReplacementKeepsHFAlignments() throws {
        // "a␣␣␣b␣c": the run becomes one space aligned with the run's last original space.
        var string = NormalizedString("a   b c")
        try Replace(.regex(try RegularExpression(" {2,}")), content: " ").normalize(&string)
        XCTAssertEqual(string.text, "a b c")
        XCTAssertEqual(string.starts, [0, 3, 4, 5, 6])
        XCTAssertEqual(string.ends, [1, 4, 5, 6, 7])
    }
}
