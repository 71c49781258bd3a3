import Foundation
import TestSupport
import XCTest

/// Every command that writes, against the output rule (README, "Outputs"): an existing folder
/// dsprep did not write is refused and left untouched; an output equal to, inside or containing
/// an input is refused; dsprep's own earlier output of the same kind is replaced (files only with
/// --overwrite); names from flags never lead outside --out. Each case snapshots the whole work
/// folder before and after and asserts that nothing outside --out changed.
final class OutputPolicyCommandTests: XCTestCase {
    /// The inputs every case reads, built once: a TSV, a hand-written vocabulary, a dataset, token
    /// shards, two shard folders for merge, a one-step checkpoint for predict, and a vocabulary
    /// plan with its two shards' word counts. (XCTest runs a class's tests one at a time, so the
    /// shared folder is never set from two threads.)
    nonisolated(unsafe) private static var fixtures: URL?
    private var work: URL!

    override class func tearDown() {
        if let fixtures { try? FileManager.default.removeItem(at: fixtures.deletingLastPathComponent()) }
        super.tearDown()
    }

    override func setUpWithError() throws {
        let fixtures = try Self.makeFixtures()
        work = try TestEnvironment.temporaryDirectory()
        // Each test gets its own copy of the inputs, so a bug that writes over them shows in its snapshot.
        try FileManager.default.copyItem(at: fixtures, to: work.appendingPathComponent("in"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
        try? FileManager.default.removeItem(atPath: work.path + "-cache")
    }

    private static func makeFixtures() throws -> URL {
        if let fixtures { return fixtures }
        let root = try TestEnvironment.temporaryDirectory()
        let folder = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func file(_ name: String) -> String { folder.appendingPathComponent(name).path }
        var rows = ["document\tlabel"]
        for index in 0..<40 { rows.append(["영화가 좋다.", "별로", "좋다 영화", "영화 별로."][index % 4] + "\t\(index % 2)") }
        try (rows.joined(separator: "\n") + "\n").write(toFile: file("reviews.tsv"), atomically: true, encoding: .utf8)
        try TinyVocabulary.write(to: file("vocab.txt"))
        try #"{"do_lower_case": false}"#.write(toFile: file("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["ingest", file("reviews.tsv"), "--out", file("ds"), "--quiet"],
            ["tokenize", file("reviews.tsv"), "--tokenizer", file("vocab.txt"), "--out", file("tok"), "--no-cache", "--quiet"],
            ["tokenize", file("reviews.tsv"), "--tokenizer", file("vocab.txt"), "--out", file("part0"), "--num-shards", "2",
             "--shard-index", "0", "--no-cache", "--quiet"],
            ["tokenize", file("reviews.tsv"), "--tokenizer", file("vocab.txt"), "--out", file("part1"), "--num-shards", "2",
             "--shard-index", "1", "--no-cache", "--quiet"],
            ["train", "--train", file("tok"), "--output-dir", file("run"), "--model", "bag", "--dimension", "4",
             "--bigram-buckets", "0", "--max-steps", "1", "--tokenizer", file("vocab.txt"), "--quiet"],
            ["vocab", "train", "--vocab-size", "30", file("reviews.tsv"), "--plan-out", file("vocab-plan.json"), "--num-shards", "2", "--quiet"],
            ["vocab", "count", "--plan", file("vocab-plan.json"), "--shard-index", "0", "--out", file("counts0"), "--quiet"],
            ["vocab", "count", "--plan", file("vocab-plan.json"), "--shard-index", "1", "--out", file("counts1"), "--quiet"],
        ]
        for arguments in steps {
            let result = try DSPrepBinary.run(arguments)
            guard result.status == 0 else { throw FixtureFailure(message: "\(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        fixtures = folder
        return folder
    }

    private struct FixtureFailure: Error { var message: String }

    private func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    /// One writing command: its arguments given the output path, and the file extension when it writes a file.
    private struct Writer {
        var name: String
        var fileExtension: String?
        var arguments: (_ out: String) -> [String]

        init(name: String, fileExtension: String? = nil, arguments: @escaping (_ out: String) -> [String]) {
            self.name = name
            self.fileExtension = fileExtension
            self.arguments = arguments
        }

        var writesFile: Bool { fileExtension != nil }

        /// A fresh output path for this command in `folder`.
        func output(in folder: URL, prefix: String) -> String {
            folder.appendingPathComponent(prefix + "-" + name.replacingOccurrences(of: " ", with: "-") + (fileExtension ?? "")).path
        }
    }

    private var writers: [Writer] {
        let tsv = path("in/reviews.tsv"), vocab = path("in/vocab.txt"), ds = path("in/ds"), tok = path("in/tok")
        let vocabPlan = path("in/vocab-plan.json"), counts = [path("in/counts0"), path("in/counts1")]
        return [
            Writer(name: "ingest") { ["ingest", tsv, "--out", $0, "--quiet"] },
            Writer(name: "ingest collection") { ["ingest", "--split", "train=" + tsv, "--out", $0, "--quiet"] },
            Writer(name: "tokenize") { ["tokenize", tsv, "--tokenizer", vocab, "--out", $0, "--quiet"] },
            Writer(name: "tokenize no cache") { ["tokenize", tsv, "--tokenizer", vocab, "--out", $0, "--no-cache", "--quiet"] },
            Writer(name: "merge") { ["merge", self.path("in/part0"), self.path("in/part1"), "--out", $0] },
            Writer(name: "dataset split") { ["dataset", "split", ds, "--test-size", "0.25", "--out", $0] },
            Writer(name: "dataset shuffle") { ["dataset", "shuffle", ds, "--out", $0] },
            Writer(name: "dataset shard") { ["dataset", "shard", ds, "--num-shards", "2", "--index", "1", "--out", $0] },
            Writer(name: "dataset head") { ["dataset", "head", ds, "-n", "3", "--out", $0] },
            Writer(name: "dataset select") { ["dataset", "select", ds, "--columns", "document", "--out", $0] },
            Writer(name: "dataset rename") { ["dataset", "rename", ds, "--column", "label=stars", "--out", $0] },
            Writer(name: "dataset concat") { ["dataset", "concat", ds, ds, "--out", $0] },
            Writer(name: "vocab train folder") { ["vocab", "train", "--vocab-size", "30", tsv, "--out", $0, "--quiet"] },
            Writer(name: "vocab train file", fileExtension: ".json") { ["vocab", "train", "--vocab-size", "30", tsv, "--out", $0, "--quiet"] },
            Writer(name: "vocab plan", fileExtension: ".json") {
                ["vocab", "train", "--vocab-size", "30", tsv, "--plan-out", $0, "--num-shards", "2", "--quiet"]
            },
            Writer(name: "vocab count", fileExtension: ".counts") { ["vocab", "count", "--plan", vocabPlan, "--shard-index", "1", "--out", $0, "--quiet"] },
            Writer(name: "vocab merge folder") { ["vocab", "merge", "--plan", vocabPlan] + counts + ["--out", $0, "--quiet"] },
            Writer(name: "vocab merge file", fileExtension: ".json") { ["vocab", "merge", "--plan", vocabPlan] + counts + ["--out", $0, "--quiet"] },
            Writer(name: "train") {
                ["train", "--train", tok, "--output-dir", $0, "--model", "bag", "--dimension", "4", "--bigram-buckets", "0",
                 "--max-steps", "1", "--quiet"]
            },
            Writer(name: "predict", fileExtension: ".csv") { ["predict", self.path("in/run/checkpoint-1"), tok, "--out", $0] },
        ]
    }

    /// Runs dsprep with its own cache (outside the snapshot).
    private func run(_ arguments: [String]) throws -> ProcessResult {
        try DSPrepBinary.run(arguments, environment: ["DSPREP_CACHE": work.path + "-cache"])
    }

    /// Every entry under `work` (hidden ones too): relative path → kind, size and a digest of the bytes.
    private func snapshot() throws -> [String: String] {
        var entries: [String: String] = [:]
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: work.path))
        for case let name as String in walker {
            let full = work.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                entries[name] = "folder"
            } else {
                // FNV-1a: stable, and enough to tell files apart here.
                let data = try Data(contentsOf: URL(fileURLWithPath: full))
                let digest = data.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
                entries[name] = "\(data.count) \(String(digest, radix: 16))"
            }
        }
        return entries
    }

    private func assertUnchanged(_ before: [String: String], _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let after = try snapshot()
        XCTAssertEqual(after, before, "\(what): something changed: "
                       + "\(Set(after.keys).symmetricDifference(before.keys).sorted().prefix(5))", file: file, line: line)
    }

    func testExistingFolderOrFileDsprepDidNotWriteIsRefusedAndUntouched() throws {
        for writer in writers {
            let out = writer.output(in: work, prefix: "mine")
            if writer.writesFile {
                try "my notes\n".write(toFile: out, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try "my notes\n".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
            }
            let before = try snapshot()
            let result = try run(writer.arguments(out))
            XCTAssertNotEqual(result.status, 0, "\(writer.name): \(result.stdout)")
            XCTAssertTrue(result.stderr.contains(out), "\(writer.name) names the path: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(writer.writesFile ? "--overwrite" : "did not write"), "\(writer.name): \(result.stderr)")
            try assertUnchanged(before, "\(writer.name), existing output")
        }
    }

    func testOutputEqualToInsideOrContainingAnInputIsRefused() throws {
        for writer in writers {
            // The inputs of this command: the arguments that name something under in/.
            let inputs = writer.arguments("OUT").map { String($0.split(separator: "=").last ?? "") }.filter { $0.hasPrefix(path("in")) }
            XCTAssertFalse(inputs.isEmpty, writer.name)
            for input in inputs {
                for out in [input, input + "/inside" + (writer.fileExtension ?? ""), path("in")] {
                    try assertRefused(writer.arguments(out), mentioning: "the input")
                }
            }
        }
    }

    func testEarlierDsprepOutputIsReplacedFilesOnlyWithOverwrite() throws {
        for writer in writers {
            let out = writer.output(in: work, prefix: "out")
            let name = URL(fileURLWithPath: out).lastPathComponent
            let first = try run(writer.arguments(out))
            XCTAssertEqual(first.status, 0, "\(writer.name): \(first.stderr)")
            let before = try snapshot()
            let second = try run(writer.arguments(out))
            if writer.writesFile {
                XCTAssertNotEqual(second.status, 0, writer.name)
                XCTAssertTrue(second.stderr.contains("--overwrite"), "\(writer.name): \(second.stderr)")
                try assertUnchanged(before, "\(writer.name), file without --overwrite")
                let third = try run(writer.arguments(out) + ["--overwrite"])
                XCTAssertEqual(third.status, 0, "\(writer.name): \(third.stderr)")
            } else {
                XCTAssertEqual(second.status, 0, "\(writer.name): \(second.stderr)")
                let marker = try String(contentsOfFile: out + "/.dsprep-output", encoding: .utf8)
                XCTAssertTrue(marker.contains("\"written_by\": \"dsprep\""), marker)
            }
            // Nothing outside the output changed, and no temporary folder is left beside it.
            let after = try snapshot()
            XCTAssertEqual(after.filter { !$0.key.hasPrefix(name) }, before.filter { !$0.key.hasPrefix(name) }, writer.name)
            XCTAssertFalse(after.keys.contains { $0.contains(".tmp-") }, "\(writer.name): \(after.keys.sorted())")
        }
    }

    /// Runs `arguments`, which must fail naming `message` and change nothing in the work folder.
    private func assertRefused(_ arguments: [String], mentioning message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try snapshot()
        let result = try run(arguments)
        XCTAssertNotEqual(result.status, 0, arguments.joined(separator: " "), file: file, line: line)
        XCTAssertTrue(result.stderr.contains(message), "\(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        try assertUnchanged(before, arguments.joined(separator: " "), file: file, line: line)
    }

    func testAFileAddedToAnEarlierOutputKeepsItFromBeingReplaced() throws {
        let writer = writers[0]
        let out = path("ingested")
        XCTAssertEqual(try run(writer.arguments(out)).status, 0)
        try "mine\n".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        try assertRefused(writer.arguments(out), mentioning: "notes.txt")
    }

    func testAnOutputOfAnotherKindIsRefused() throws {
        try assertRefused(writers[0].arguments(path("in/run")), mentioning: "training-run")
    }

    func testSplitNamesCannotLeaveTheOutputFolder() throws {
        let tsv = path("in/reviews.tsv")
        for command in [["ingest"], ["tokenize", "--tokenizer", path("in/vocab.txt")]] {
            for name in ["../escape", "..", "a/b", ".hidden", ""] {
                let before = try snapshot()
                let result = try run(command + ["--split", "\(name)=\(tsv)", "--split", "test=\(tsv)", "--out", path("out/coll"), "--quiet"])
                XCTAssertNotEqual(result.status, 0, "\(command[0]) split '\(name)'")
                XCTAssertTrue(result.stderr.contains("split") || result.stderr.contains("name=file"), result.stderr)
                try assertUnchanged(before, "\(command[0]) split '\(name)'")
            }
        }
        // Reading applies the same check: a collection listing "../escape" is refused.
        let collection = path("in/evil")
        try FileManager.default.createDirectory(atPath: collection, withIntermediateDirectories: true)
        try #"{"splits": ["../ds"]}"#.write(toFile: collection + "/dataset_dict.json", atomically: true, encoding: .utf8)
        let result = try run(["dataset", "head", collection, "--split", "../ds", "--out", path("out/head")])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("../ds"), result.stderr)
    }
}
