import DSPrepSupport
import Foundation
@testable import Tokenizers
import XCTest

/// Decoders and decoding against HF tokenizers 0.23.3 and sentencepiece 0.2.3, and the
/// Unigram model's unknown text (fixtures by tools/fixtures/generate-decoder-fixtures.py).
final class DecoderParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/decoders")

    /// Each line of a fixture as a JSON value.
    private func lines(_ name: String) throws -> [JSONValue] {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0), path: name) }
    }

    private func strings(_ json: JSONValue?) -> [String] { json?.arrayValue?.compactMap(\.stringValue) ?? [] }
    private func int32s(_ json: JSONValue?) -> [Int32] { json?.arrayValue?.compactMap { $0.intValue.map(Int32.init) } ?? [] }

    func testEachDecoderDecodesAndSerializesAsHF() throws {
        let records = try lines("decoders.jsonl")
        XCTAssertGreaterThan(records.count, 150)
        for (number, record) in records.enumerated() {
            guard let json = record["decoder"] else { return XCTFail("line \(number + 1): no decoder") }
            let context = "decoders.jsonl line \(number + 1): \(json.serialized(.pythonDumps(indent: nil))) on \(strings(record["tokens"]))"
            let decoder = try DecoderFactory.make(json, context: JSONContext(path: "decoders.jsonl"))
            XCTAssertEqual(decoder.decode(strings(record["tokens"])), record["decoded"]?.stringValue, context)
            XCTAssertEqual(decoder.json, json, context)
        }
    }

    func testByteFallbackTokenizerJSONDecodesAsHF() throws {
        let tokenizer = try TokenizerJSON.load(path: Self.fixtures.appendingPathComponent("bytefallback.json").path)
        for (number, record) in try lines("bytefallback-decode.jsonl").enumerated() {
            let ids = int32s(record["ids"])
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), record["skip"]?.stringValue, "line \(number + 1): \(ids)")
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), record["keep"]?.stringValue, "line \(number + 1): \(ids)")
        }
    }

    /// What dsprep writes for the byte-fallback model decodes as HF decodes its own recipe (the
    /// written file has no added tokens, so special tokens print as HF prints kept ones).
    func testWrittenByteFallbackTokenizerDecodesAsHF() throws {
        let model = try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        let written = try TokenizerJSON.make(TokenizerJSON.document(for: try TokenizerJSON.unigramTokenizer(model.proto, path: "t")),
                                             path: "t.json")
        for (number, record) in try lines("bytefallback-decode.jsonl").enumerated() {
            let ids = int32s(record["ids"])
            XCTAssertEqual(written.decode(ids, skipSpecialTokens: true), record["keep"]?.stringValue, "line \(number + 1): \(ids)")
        }
    }

    func testSentencePieceModelDecodesAsDecodeIds() throws {
        let model = try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        for (number, record) in try lines("bytefallback-decode.jsonl").enumerated() {
            let ids = int32s(record["ids"])
            XCTAssertEqual(model.decode(ids, skipSpecialTokens: true), record["spm"]?.stringValue, "line \(number + 1): \(ids)")
        }
    }

    /// Unknown text is named by its text; without unk_id, dsprep fails where HF fails, with an
    /// InputError naming the word.
    func testUnknownTextAndMissingUnkID() throws {
        var failures = 0
        for (number, record) in try lines("unigram-unknown.jsonl").enumerated() {
            guard let document = record["tokenizer"], let text = record["text"]?.stringValue else { return XCTFail("line \(number + 1)") }
            let tokenizer = try TokenizerJSON.make(document, path: "unigram-unknown.json")
            let context = "unigram-unknown.jsonl line \(number + 1): \(text.debugDescription)"
            if record["error"]?.boolValue == true {
                failures += 1
                XCTAssertThrowsError(try tokenizer.encode(text, addSpecialTokens: false), context) { error in
                    XCTAssertTrue(error is InputError, "\(context): \(error)")
                    XCTAssertTrue("\(error)".contains("no unk_id"), "\(context): \(error)")
                }
                continue
            }
            let encoding = try tokenizer.encode(text, addSpecialTokens: false)
            XCTAssertEqual(encoding.ids, int32s(record["ids"]), context)
            XCTAssertEqual(encoding.tokens, strings(record["tokens"]), context)
            XCTAssertEqual(encoding.offsets.flatMap { [$0.start, $0.end] }, record["offsets"]?.arrayValue?.flatMap(int32s), context)
        }
        XCTAssertGreaterThan(failures, 0, "the fixture has texts HF cannot encode without unk_id")
    }

    /// The unknown text survives the flat `encodeIDs` path (dsprep encode) and truncation.
    func testUnknownTextOnTheFlatPath() throws {
        let record = try XCTUnwrap(try lines("unigram-unknown.jsonl").first { $0["text"]?.stringValue == "a😀😀b" })
        let tokenizer = try TokenizerJSON.make(try XCTUnwrap(record["tokenizer"]), path: "t.json")
        var workspace = Tokenizer.Workspace()
        var text = "a😀😀b"
        try text.withUTF8 { try tokenizer.encodeIDs(utf8: UnsafeRawBufferPointer($0), addSpecialTokens: false, workspace: &workspace) }
        let tokens = (0..<workspace.count).map { workspace.surface(at: $0) ?? tokenizer.token(of: workspace.ids[$0]) ?? "" }
        XCTAssertEqual(tokens, strings(record["tokens"]))
        XCTAssertNil(workspace.surface(at: 0))
    }

    func testDecodersHFRejectsAreRejected() throws {
        let context = JSONContext(path: "t.json")
        let rejected: [String] = [
            #"{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false}"#,
            #"{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false, "prepend_scheme": "first"}"#,
            #"{"type": "Metaspace", "replacement": "▁▁"}"#,
            #"{"type": "Metaspace"}"#,
            #"{"type": "Strip", "content": "  ", "start": 1, "stop": 0}"#,
            #"{"type": "Strip", "content": " ", "start": 1}"#,
            #"{"type": "Replace", "pattern": {"Regex": "("}, "content": " "}"#,
            #"{"type": "Replace", "pattern": "▁", "content": " "}"#,
            #"{"type": "Sequence", "decoders": [{"type": "CTC"}]}"#,
        ]
        for text in rejected {
            XCTAssertThrowsError(try DecoderFactory.make(try JSONValue.parse(text, path: "t.json"), context: context), text) { error in
                XCTAssertTrue(error is InputError, "\(text): \(error)")
            }
        }
        let never = try DecoderFactory.make(try JSONValue.parse(
            #"{"type": "Metaspace", "replacement": "▁", "add_prefix_space": false, "prepend_scheme": "never"}"#, path: "t.json"),
            context: context)
        XCTAssertEqual(never.decode(["▁a", "▁b"]), " a b")
    }

    /// Where HF panics (more to strip than there is), the cuts stop at the token's bounds.
    func testStripNeverCutsPastTheToken() {
        let strip = StripDecoder(content: " ", start: 3, stop: 3)
        XCTAssertEqual(strip.decodeChain([" ", "", "  a  ", "   "]), ["", "", "a", ""])
    }
}
