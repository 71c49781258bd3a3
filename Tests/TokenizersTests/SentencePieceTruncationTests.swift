import Foundation
import TestSupport
import Tokenizers
import XCTest

/// A sentencepiece model truncates a sequence or pair as HF tokenizers 0.23.3 truncates the same
/// model written as tokenizer.json: every strategy and direction, lengths below and above the
/// texts', the cut-off windows included. Live against the reference venv (DSPREP_PYTHON).
final class SentencePieceTruncationTests: XCTestCase {
    static let texts = ["", "좋아요", "정말 재밌어요 👍", "Hello 세계! 이 영화 최고 🎬🍿", "배우들 연기가 너무 좋았고 음악도 최고였다"]
    static let pairs: [(String, String?)] = texts.map { ($0, nil) } + [
        (texts[1], texts[4]), (texts[4], texts[1]), (texts[2], texts[3]), (texts[3], texts[2]), (texts[0], texts[4]),
    ]

    /// HF's encodings of every pair under each truncation: [ids, type_ids, [overflowing ids...]],
    /// or null where HF refuses (an exception, or a Rust panic, which is no `Exception`).
    private static let peer = """
        import json, sys
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(sys.argv[1])
        request = json.load(sys.stdin)
        out = []
        for setting in request["settings"]:
            tokenizer.enable_truncation(setting["max_length"], strategy=setting["strategy"], direction=setting["direction"])
            row = []
            for text, pair in request["inputs"]:
                try:
                    encoding = tokenizer.encode(text, pair, add_special_tokens=False) if pair is not None else tokenizer.encode(text, add_special_tokens=False)
                except BaseException:
                    row.append(None)
                    continue
                row.append([encoding.ids, encoding.type_ids, [window.ids for window in encoding.overflowing]])
            out.append(row)
        print(json.dumps(out))
        """

    func testPairsAreCutAsHFCutsThem() throws {
        let model = try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = folder.appendingPathComponent("tokenizer.json").path
        try model.saveTokenizerJSON(to: json)

        var settings: [Truncation] = []
        for strategy in [Truncation.Strategy.longestFirst, .onlyFirst, .onlySecond] {
            for direction in [Truncation.Direction.right, .left] {
                for maxLength in [1, 3, 6, 11] { settings.append(Truncation(maxLength: maxLength, strategy: strategy, direction: direction)) }
            }
        }
        let pythonNames: [Truncation.Strategy: String] = [.longestFirst: "longest_first", .onlyFirst: "only_first", .onlySecond: "only_second"]
        let request: [String: Any] = [
            "settings": settings.map { ["max_length": $0.maxLength, "strategy": pythonNames[$0.strategy]!, "direction": $0.direction.rawValue.lowercased()] },
            "inputs": Self.pairs.map { [$0.0, $0.1 as Any? ?? NSNull()] },
        ]
        let expected = try XCTUnwrap(PythonPeer.json(["-c", Self.peer, json], stdin: try JSONSerialization.data(withJSONObject: request)) as? [[Any]])
        func ids(_ value: Any) -> [Int32]? { (value as? [NSNumber])?.map(\.int32Value) }
        var compared = 0
        for (setting, row) in zip(settings, expected) {
            let tokenizer = model.withTruncation(setting)
            for ((text, pair), reference) in zip(Self.pairs, row) {
                let context = "\(setting) \(text.debugDescription) / \(pair.debugDescription)"
                let ours = try? (pair.map { try tokenizer.encode(text, pair: $0, addSpecialTokens: false) } ?? tokenizer.encode(text, addSpecialTokens: false))
                guard let reference = reference as? [Any] else {
                    XCTAssertNil(ours, "HF refuses this: " + context)
                    continue
                }
                guard let ours else { XCTFail("HF encodes this: " + context); continue }
                XCTAssertEqual(ours.ids, ids(reference[0]), context)
                XCTAssertEqual(ours.typeIds, ids(reference[1]), context)
                XCTAssertEqual(ours.overflowing.map(\.ids), (reference[2] as? [Any])?.compactMap(ids), context)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, settings.count * Self.pairs.count / 2)
    }
}
