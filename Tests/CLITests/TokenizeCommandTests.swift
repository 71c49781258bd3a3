import Foundation
import TestSupport
import XCTest

final class TokenizeCommandTests: XCTestCase {
    private var work: URL!
    private var cache: String { work.appendingPathComponent("cache").path }

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private var sample: String { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path }

    private func shared(_ path: String) throws -> String {
        try TestEnvironment.sharedFile(path)
    }

    private func tokenize(_ arguments: [String]) throws -> ProcessResult {
        try DSPrepBinary.run(["tokenize"] + arguments, environment: ["DSPREP_CACHE": cache])
    }

    /// A tiny cased WordPiece vocab.txt written by hand (no ../shared needed). Cased, because
    /// BERT's uncased default strips accents through NFD, which splits Hangul syllables into jamo.
    private func handwrittenVocab() throws -> String {
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "영화", "##가", "좋", "##다", "별로", "."]
        let path = work.appendingPathComponent("vocab.txt").path
        try Data((vocab.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try Data(#"{"do_lower_case": false}"#.utf8).write(to: work.appendingPathComponent("tokenizer_config.json"))
        return path
    }

    /// Runs tools/oracles/check_tokenized.py and returns its JSON.
    private func checkAgainstHF(_ arguments: [String]) throws -> [String: Any] {
        let printed = try PythonPeer.json([PythonPeer.tool("oracles/check_tokenized.py")] + arguments)
        return try XCTUnwrap(printed as? [String: Any])
    }

    func testHandwrittenVocabularyGivesExpectedIdsAndClassLabels() throws {
        let input = work.appendingPathComponent("tiny.tsv").path
        try Data("document\tlabel\n영화가 좋다.\t1\n별로\t0\n\t1\n".utf8).write(to: URL(fileURLWithPath: input))
        let out = work.appendingPathComponent("tiny").path
        let result = try tokenize([input, "--tokenizer", try handwrittenVocab(), "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("rows 3"), result.stdout)
        let dump = try DSPrepBinary.run(["inspect", out, "--rows", "3"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        func field(_ name: String) -> [[String]] {
            dump.stdout.split(separator: "\n").filter { $0.hasPrefix("    \(name):") }
                .map { $0.split(whereSeparator: \.isWhitespace).dropFirst().map(String.init) }
        }
        // By hand from the vocab: [CLS]=2 영화=5 ##가=6 좋=7 ##다=8 .=10 [SEP]=3; 별로=9; empty text = [CLS] [SEP].
        XCTAssertEqual(field("ids"), [["2", "5", "6", "7", "8", "10", "3"], ["2", "9", "3"], ["2", "3"]], dump.stdout)
        XCTAssertEqual(field("tokens").first, ["[CLS]", "영화", "##가", "좋", "##다", ".", "[SEP]"], dump.stdout)
        XCTAssertTrue(dump.stdout.contains("ClassLabel 0=0, 1=1"), dump.stdout)
    }

    /// A tokenizer.json that pads (as one saved after `enable_padding` does) still gives unpadded
    /// rows, as transformers' tokenizer(text) does: padding is the collator's, and pad ids stored
    /// as tokens would be attended to in training.
    func testATokenizersPaddingDoesNotPadTheRows() throws {
        let plain = TestEnvironment.repositoryRoot.appendingPathComponent("vocab/default-tokenizer.json")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: plain)) as? [String: Any])
        object["padding"] = ["strategy": ["Fixed": 48], "direction": "Right", "pad_to_multiple_of": NSNull(), "pad_id": 0,
                             "pad_type_id": 0, "pad_token": "[PAD]"] as [String: Any]
        let padded = work.appendingPathComponent("padded.json")
        try JSONSerialization.data(withJSONObject: object).write(to: padded)
        func ids(_ tokenizer: String) throws -> [Substring] {
            let out = work.appendingPathComponent(URL(fileURLWithPath: tokenizer).lastPathComponent + ".out").path
            let result = try tokenize([sample, "--tokenizer", tokenizer, "--out", out, "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let dump = try DSPrepBinary.run(["inspect", out, "--rows", "5"])
            XCTAssertEqual(dump.status, 0, dump.stderr)
            return dump.stdout.split(separator: "\n").filter { $0.hasPrefix("    ids:") }
        }
        let unpadded = try ids(plain.path)
        XCTAssertEqual(unpadded.count, 5)
        XCTAssertEqual(try ids(padded.path), unpadded)
    }

    func testNSMCTrainIdsEqualHFTokenizersThroughLoadFromDisk() throws {
        let tokenizer = try shared("vocab/krbert-char16424.json")
        let train = try shared("data/nsmc/train.tsv")
        let out = work.appendingPathComponent("nsmc").path
        let result = try tokenize([train, "--tokenizer", tokenizer, "--out", out, "--max-length", "64"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("truncated rows"), result.stdout)
        let check = try checkAgainstHF([out, train, tokenizer, "--text", "document", "--label", "label", "--max-length", "64"])
        XCTAssertEqual(check["rows"] as? Int, 150_000)
        XCTAssertEqual(check["mismatches"] as? Int, 0, "\(check)")
    }

    func testKorSTSPairsAndScoresEqualHF() throws {
        let tokenizer = try shared("vocab/krbert-char16424.json")
        let train = try shared("data/korsts/sts-train.tsv"), dev = try shared("data/korsts/sts-dev.tsv")
        let out = work.appendingPathComponent("korsts").path
        let result = try tokenize(["--split", "train=\(train)", "--split", "validation=\(dev)", "--tokenizer", tokenizer, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("sentence1 + sentence2 (pairs)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("float32 regression"), result.stdout)
        for (split, input, rows) in [("train", train, 5749), ("validation", dev, 1500)] {
            let check = try checkAgainstHF([out, input, tokenizer, "--text", "sentence1", "--pair", "sentence2", "--label", "score",
                                            "--split", split])
            XCTAssertEqual(check["rows"] as? Int, rows)
            XCTAssertEqual(check["mismatches"] as? Int, 0, "\(split): \(check)")
        }
    }

    func testKillDuringTokenizeLeavesNoOutputAndNoCacheEntry() throws {
        // A file large enough that a debug build is still working when the kill comes.
        let input = work.appendingPathComponent("big.tsv").path
        var text = "document\tlabel\n"
        for row in 0..<60_000 { text += "영화가 좋다 별로 영화가 좋다 \(row)\t\(row % 2)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        let out = work.appendingPathComponent("killed").path
        let process = Process()
        process.executableURL = DSPrepBinary.url
        process.arguments = ["tokenize", input, "--tokenizer", try handwrittenVocab(), "--out", out, "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(["DSPREP_CACHE": cache]) { $1 }
        try process.run()
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the job finished before the kill: make the input larger")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no half-written output")
        let listed = try DSPrepBinary.run(["cache", "ls"], environment: ["DSPREP_CACHE": cache])
        XCTAssertTrue(listed.stdout.contains("(0 entries"), listed.stdout)
        let rerun = try tokenize([input, "--tokenizer", try handwrittenVocab(), "--out", out])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("rows 60000"), rerun.stdout)
    }

    func testSentencePieceModelShardsEqualSentencePiece() throws {
        let model = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/TokenizersTests/Fixtures/spm/nsmc-bytefallback-2k.model").path
        let out = work.appendingPathComponent("spm").path
        let result = try tokenize([sample, "--tokenizer", model, "--out", out, "--max-length", "32"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let check = try checkAgainstHF([out, sample, model, "--text", "document", "--label", "label", "--max-length", "32"])
        XCTAssertEqual(check["rows"] as? Int, 3000)
        XCTAssertEqual(check["mismatches"] as? Int, 0, "\(check)")
    }

    func testSecondRunComesFromTheCacheAndAnOptionChangeRecomputes() throws {
        let vocab = try handwrittenVocab()
        let out = work.appendingPathComponent("cached").path
        let first = try tokenize([sample, "--tokenizer", vocab, "--out", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(first.stdout.contains("from the cache"), first.stdout)
        let second = try tokenize([sample, "--tokenizer", vocab, "--out", out])
        XCTAssertTrue(second.stdout.contains("from the cache"), second.stdout)
        try FileManager.default.removeItem(atPath: out)
        let relinked = try tokenize([sample, "--tokenizer", vocab, "--out", out])
        XCTAssertTrue(relinked.stdout.contains("from the cache"), relinked.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/data-00000-of-00001.arrow"))
        let changed = try tokenize([sample, "--tokenizer", vocab, "--out", out, "--max-length", "8"])
        XCTAssertFalse(changed.stdout.contains("from the cache"), changed.stdout)
        // The casing of a vocab.txt lives in the tokenizer_config.json beside it: changing it recomputes.
        try Data(#"{"do_lower_case": true}"#.utf8).write(to: work.appendingPathComponent("tokenizer_config.json"))
        let recased = try tokenize([sample, "--tokenizer", vocab, "--out", out, "--max-length", "8"])
        XCTAssertFalse(recased.stdout.contains("from the cache"), recased.stdout)
    }

    func testOutputBytesDoNotDependOnThreadsAndShardsMergeToTheSingleRun() throws {
        let vocab = try handwrittenVocab()
        func dataBytes(_ folder: String) throws -> [Data] {
            try ["data-00000-of-00001.arrow", "dataset_info.json", "state.json"].map {
                try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0))
            }
        }
        let one = work.appendingPathComponent("one").path, two = work.appendingPathComponent("two").path
        XCTAssertEqual(try tokenize([sample, "--tokenizer", vocab, "--out", one, "--threads", "1", "--no-cache"]).status, 0)
        XCTAssertEqual(try tokenize([sample, "--tokenizer", vocab, "--out", two, "--threads", "2", "--no-cache"]).status, 0)
        XCTAssertEqual(try dataBytes(one), try dataBytes(two))

        var shards: [String] = []
        for index in 0..<3 {
            let shard = work.appendingPathComponent("shard\(index)").path
            let result = try tokenize([sample, "--tokenizer", vocab, "--out", shard, "--num-shards", "3", "--shard-index", "\(index)"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("rows 1000"), result.stdout)
            shards.append(shard)
        }
        let merged = work.appendingPathComponent("merged").path
        let merge = try DSPrepBinary.run(["merge"] + shards + ["--out", merged])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try dataBytes(merged), try dataBytes(one))
    }

    func testBadInputNamesTheLineAndLeavesNothing() throws {
        let input = work.appendingPathComponent("bad.csv").path
        try Data("text,label\n\"unterminated,1\nok,0\n".utf8).write(to: URL(fileURLWithPath: input))
        let out = work.appendingPathComponent("bad-out").path
        let result = try tokenize([input, "--tokenizer", try handwrittenVocab(), "--out", out])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad.csv:2"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let missingColumn = try tokenize([sample, "--tokenizer", try handwrittenVocab(), "--out", out, "--text-column", "body"])
        XCTAssertNotEqual(missingColumn.status, 0)
        XCTAssertTrue(missingColumn.stderr.contains("no column named 'body'"), missingColumn.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
