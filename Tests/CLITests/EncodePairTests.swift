import Foundation
import TestSupport
import XCTest

/// `dsprep encode --input-format jsonl --field A --pair-field B`: sentence pairs through the
/// tokenizer's pair template, against HF tokenizers' `encode(a, b)` on the same tokenizer.json
/// (ids, tokens, offsets, type_ids and truncation's nested overflowing windows).
final class EncodePairTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private static let pairs: [(String, String)] = [
        ("영화 정말 재밌어요", "배우들 연기가 좋았다"),
        ("", "두 번째 문장만 있음"),
        ("첫 문장만", ""),
        ("Hello, WORLD! 👩‍💻 café", "ｈａｌｆ-width ﾊﾝｸﾞﾙ and ㄱㄴㄷ"),
        ("아주 긴 첫 번째 문장입니다. 이 문장은 잘려서 여러 창으로 나뉘어야 합니다. 정말로 길어요.", "짧은 쌍"),
        ("짧음", "두 번째 문장이 훨씬 더 길어서 이쪽이 먼저 잘리고 겹치는 창이 생깁니다. 끝까지 읽어 보세요."),
    ]

    /// HF writes a copy of the shipped tokenizer with truncation (max_length 16, stride 2) and
    /// prints what it encodes for each pair, in dsprep's JSON shape.
    private static let reference = """
        import json, sys
        from tokenizers import Tokenizer
        source, target, pairs = sys.argv[1], sys.argv[2], sys.argv[3]
        tok = Tokenizer.from_file(source)
        tok.enable_truncation(max_length=16, stride=2, strategy="longest_first")
        tok.save(target)
        def shape(e):
            d = {"ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets], "type_ids": e.type_ids}
            if e.overflowing:
                d["overflowing"] = [shape(o) for o in e.overflowing]
            return d
        with open(pairs, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                print(json.dumps(shape(tok.encode(row["a"], row["b"])), ensure_ascii=False))
        """

    func testPairsEncodeAsHFTokenizersDoes() throws {
        let input = work.appendingPathComponent("pairs.jsonl")
        let rows = try Self.pairs.map { a, b in
            String(decoding: try JSONSerialization.data(withJSONObject: ["a": a, "b": b, "id": 1]), as: UTF8.self)
        }
        try (rows.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let shipped = TestEnvironment.repositoryRoot.appendingPathComponent("vocab/dsprep-ko-wordpiece-16k.json").path
        let tokenizer = work.appendingPathComponent("truncating.json").path
        let expected = try PythonPeer.run(["-c", Self.reference, shipped, tokenizer, input.path])

        let result = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--input-format", "jsonl", "--field", "a",
                                           "--pair-field", "b", "--output-format", "json", input.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let ours = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let theirs = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(ours.count, Self.pairs.count)
        var windows = 0
        for (line, (mine, reference)) in zip(ours, theirs).enumerated() {
            let mineObject = try JSONSerialization.jsonObject(with: Data(mine.utf8)) as? NSDictionary
            let referenceObject = try JSONSerialization.jsonObject(with: Data(reference.utf8)) as? NSDictionary
            XCTAssertEqual(mineObject, referenceObject, "pair \(line + 1)")
            windows += (referenceObject?["overflowing"] as? [Any])?.count ?? 0
        }
        XCTAssertGreaterThan(windows, 0, "the long pairs should overflow")

        // Without --pair-field the second text is not read; with it, a missing field is named.
        try (#"{"a": "하나"}"# + "\n").write(to: input, atomically: true, encoding: .utf8)
        let missing = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, "--input-format", "jsonl", "--field", "a",
                                            "--pair-field", "b", input.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("pairs.jsonl:1") && missing.stderr.contains("no field \"b\""), missing.stderr)
        XCTAssertEqual(missing.stdout, "")
    }
}
