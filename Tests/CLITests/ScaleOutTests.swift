import Foundation
import TestSupport
import XCTest

/// `dsprep tokenize --plan-out / --plan`, `dsprep vocab train --plan-out` / `vocab count` /
/// `vocab merge`, and the `dsprep-ray` launcher on a local Ray (2 CPUs, loopback only): K = 4
/// shards, as Ray tasks, merge to exactly a single run's bytes (token shards or a vocabulary
/// file), whatever the scheduling, and after a killed attempt; a changed input is refused.
final class ScaleOutTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }
    override class func tearDown() { RaySession.shared?.stop() }

    private var sample: String { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path }
    private var tokenizer: String { TestEnvironment.repositoryRoot.appendingPathComponent("vocab/default-tokenizer.json").path }

    /// The files of a dataset folder that a single run and a merge both write.
    private func dataBytes(_ folder: String) throws -> [Data] {
        try ["data-00000-of-00001.arrow", "dataset_info.json", "state.json"].map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
    }

    /// A split collection's list and each split's files.
    private func collectionBytes(_ folder: String) throws -> [Data] {
        try [Data(contentsOf: URL(fileURLWithPath: folder + "/dataset_dict.json"))] + (try dataBytes(folder + "/train")) + (try dataBytes(folder + "/test"))
    }

    /// The sample as `train` and its first 400 rows as `test`.
    private func twoSplits() throws -> [String] {
        let lines = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n")
        let test = work.appendingPathComponent("test.tsv").path
        try Data((lines.prefix(401).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: test))
        return [sample, test]
    }

    private func singleRun(_ inputs: String...) throws -> String {
        let out = work.appendingPathComponent("single").path
        let result = try DSPrepBinary.run(["tokenize"] + inputs + ["--tokenizer", tokenizer, "--out", out, "--no-cache", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return out
    }

    /// The sample repeated with fresh ids: about 3 MB, 30,000 rows.
    private func generatedInput() throws -> String {
        let lines = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n").map(String.init)
        var text = lines[0] + "\n"
        for copy in 0..<10 {
            for (number, line) in lines.dropFirst().enumerated() {
                text += "\(copy * 100_000 + number)\t" + line.split(separator: "\t", maxSplits: 1)[1] + "\n"
            }
        }
        let path = work.appendingPathComponent("generated.tsv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: - Plans without Ray

    func testPlannedShardsMergeToASingleRunAndReadOnlyTheirBytes() throws {
        let plan = work.appendingPathComponent("plan.json").path
        let made = try DSPrepBinary.run(["tokenize", sample, "--tokenizer", tokenizer, "--plan-out", plan, "--num-shards", "4"])
        XCTAssertEqual(made.status, 0, made.stderr)
        var parts: [String] = [], ranges: [(Int, Int)] = []
        for index in 0..<4 {
            let part = work.appendingPathComponent("part-\(index)").path
            let result = try DSPrepBinary.run(["tokenize", "--plan", plan, "--shard-index", "\(index)", "--out", part, "--threads", "1", "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let line = try XCTUnwrap(result.stdout.split(separator: "\n").last { $0.hasPrefix("dsprep-shard-stats ") })
            let shardStats = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.dropFirst("dsprep-shard-stats ".count).utf8)) as? [String: Any])
            let stats = try XCTUnwrap((shardStats["splits"] as? [[String: Any]])?.first)
            let (start, end) = (try XCTUnwrap(stats["byteStart"] as? Int), try XCTUnwrap(stats["byteEnd"] as? Int))
            XCTAssertEqual(stats["rows"] as? Int, 750)
            // The parser consumed its whole range and nothing else (shard 0's range starts with the header).
            XCTAssertEqual((stats["parsedBytes"] as? Int).map { $0 + (index == 0 ? 18 : 0) }, end - start, "shard \(index)")
            ranges.append((start, end))
            parts.append(part)
        }
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: sample)[.size] as? Int)
        XCTAssertEqual(ranges.map(\.0), [0] + ranges.dropLast().map(\.1))
        XCTAssertEqual(ranges.last?.1, size)
        for (start, end) in ranges { XCTAssertLessThan(end - start, size / 4 + size / 20, "about a quarter of the input each") }
        let merged = work.appendingPathComponent("merged").path
        let merge = try DSPrepBinary.run(["merge"] + parts + ["--out", merged])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try dataBytes(merged), try dataBytes(try singleRun(sample)))
    }

    /// Shards keep the single run's 1000-row record batches (their first and last are the halves
    /// of one that the boundary cuts), so the merge copies all but the batches a boundary cuts:
    /// 30,000 rows in 4 shards cut 2 of 30 (the middle boundary, row 15,000, cuts none), with
    /// a plan and with `--num-shards` alone.
    func testMergeCopiesEveryRecordBatchNoShardBoundaryCuts() throws {
        let input = try generatedInput()
        let plan = work.appendingPathComponent("plan.json").path
        let made = try DSPrepBinary.run(["tokenize", input, "--tokenizer", tokenizer, "--plan-out", plan, "--num-shards", "4"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let single = try dataBytes(try singleRun(input))
        for planned in [true, false] {
            let parts = try (0..<4).map { index in
                let part = work.appendingPathComponent("part-\(planned)-\(index)").path
                let source = planned ? ["--plan", plan] : [input, "--tokenizer", tokenizer, "--num-shards", "4", "--no-cache"]
                let result = try DSPrepBinary.run(["tokenize"] + source + ["--shard-index", "\(index)", "--out", part, "--quiet"])
                XCTAssertEqual(result.status, 0, result.stderr)
                return part
            }
            let merged = work.appendingPathComponent("merged-\(planned)").path
            let merge = try DSPrepBinary.run(["merge"] + parts + ["--out", merged])
            XCTAssertEqual(merge.status, 0, merge.stderr)
            XCTAssertTrue(merge.stdout.contains("30000 rows"), merge.stdout)
            XCTAssertTrue(merge.stdout.contains("(28 record batches copied, 2 joined)"), merge.stdout)
            XCTAssertEqual(try dataBytes(merged), single, planned ? "planned shards" : "--num-shards")
        }
    }

    func testPlannedShardsOfTwoSplitsMergeToASingleRunsCollection() throws {
        let inputs = try twoSplits()
        let plan = work.appendingPathComponent("plan.json").path
        let made = try DSPrepBinary.run(["tokenize"] + inputs + ["--tokenizer", tokenizer, "--plan-out", plan, "--num-shards", "3"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let parts = try (0..<3).map { index in
            let part = work.appendingPathComponent("part-\(index)").path
            let result = try DSPrepBinary.run(["tokenize", "--plan", plan, "--shard-index", "\(index)", "--out", part, "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return part
        }
        let merged = work.appendingPathComponent("merged").path
        let merge = try DSPrepBinary.run(["merge"] + parts + ["--out", merged])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try collectionBytes(merged), try collectionBytes(try singleRun(inputs[0], inputs[1])))
    }

    func testChangedInputAfterPlanningIsRefusedWithoutOutput() throws {
        let input = work.appendingPathComponent("input.tsv").path
        try FileManager.default.copyItem(atPath: sample, toPath: input)
        let plan = work.appendingPathComponent("plan.json").path
        XCTAssertEqual(try DSPrepBinary.run(["tokenize", input, "--tokenizer", tokenizer, "--plan-out", plan, "--num-shards", "2"]).status, 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try bytes.write(to: URL(fileURLWithPath: input))
        let out = work.appendingPathComponent("part-1").path
        let result = try DSPrepBinary.run(["tokenize", "--plan", plan, "--shard-index", "1", "--out", out])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(input): changed since the plan was made"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    // MARK: - Vocabulary training over shards

    private func vocabFlags(_ model: String) -> [String] { ["--model", model, "--vocab-size", "2000"] }

    /// `dsprep vocab train` in one process: the vocabulary file's bytes.
    private func singleVocabulary(_ inputs: [String], model: String) throws -> Data {
        let out = work.appendingPathComponent("single-\(model).\(model == "unigram" ? "model" : "json")").path
        let result = try DSPrepBinary.run(["vocab", "train"] + inputs + vocabFlags(model) + ["--out", out, "--overwrite", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    /// Plans K shards of `inputs`, counts each, and returns the plan and the counts files.
    private func countShards(_ inputs: [String], model: String, shards: Int) throws -> (plan: String, counts: [String]) {
        let plan = work.appendingPathComponent("vocab-plan-\(model)-\(shards).json").path
        let made = try DSPrepBinary.run(["vocab", "train"] + inputs + vocabFlags(model) + ["--plan-out", plan, "--num-shards", "\(shards)", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let counts = try (0..<shards).map { index in
            let counts = work.appendingPathComponent("counts-\(model)-\(shards)-\(index)").path
            let result = try DSPrepBinary.run(["vocab", "count", "--plan", plan, "--shard-index", "\(index)", "--out", counts, "--threads", "1", "--quiet"])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("dsprep-shard-stats "), result.stdout)
            return counts
        }
        return (plan, counts)
    }

    func testVocabularyOverShardsIsTheSingleRunsFile() throws {
        for model in ["wordpiece", "unigram"] {
            let single = try singleVocabulary([sample], model: model)
            for shards in [1, 2, 4] {
                let (plan, counts) = try countShards([sample], model: model, shards: shards)
                let out = work.appendingPathComponent("merged-\(model)-\(shards).\(model == "unigram" ? "model" : "json")").path
                // Counts in any order: the merge puts them in shard order.
                let merge = try DSPrepBinary.run(["vocab", "merge", "--plan", plan] + counts.reversed() + ["--out", out, "--threads", "2", "--quiet"])
                XCTAssertEqual(merge.status, 0, merge.stderr)
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), single, "\(model), \(shards) shards")
            }
        }
    }

    func testVocabularyOverShardsOfTwoInputsKeepsTheirOrder() throws {
        let inputs = try twoSplits()
        let single = try singleVocabulary(inputs, model: "wordpiece")
        let (plan, counts) = try countShards(inputs, model: "wordpiece", shards: 3)
        let out = work.appendingPathComponent("merged").path
        let merge = try DSPrepBinary.run(["vocab", "merge", "--plan", plan] + counts + ["--out", out, "--quiet"])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/tokenizer.json")), single)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/vocab.txt"))
    }

    func testVocabularyMergeRefusesMissingRepeatedOrForeignCountsWithoutOutput() throws {
        let (plan, counts) = try countShards([sample], model: "wordpiece", shards: 3)
        let (_, foreign) = try countShards([sample], model: "wordpiece", shards: 2)
        let out = work.appendingPathComponent("vocab.json").path
        for (given, expected) in [(Array(counts.prefix(2)), "shard 2 of 3 are missing"), (counts + [counts[1]], "shard 1 is counted twice"),
                                  ([counts[0], counts[1], foreign[1]], "\(foreign[1]): word counts of another plan"),
                                  ([counts[0], counts[1], plan], "\(plan): not a word counts file")] {
            let result = try DSPrepBinary.run(["vocab", "merge", "--plan", plan] + given + ["--out", out, "--quiet"])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testVocabularyCountOfAChangedInputIsRefused() throws {
        let input = work.appendingPathComponent("input.tsv").path
        try FileManager.default.copyItem(atPath: sample, toPath: input)
        let plan = work.appendingPathComponent("plan.json").path
        XCTAssertEqual(try DSPrepBinary.run(["vocab", "train", input] + vocabFlags("wordpiece") + ["--plan-out", plan, "--num-shards", "2"]).status, 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try bytes.write(to: URL(fileURLWithPath: input))
        let out = work.appendingPathComponent("counts-1").path
        let result = try DSPrepBinary.run(["vocab", "count", "--plan", plan, "--shard-index", "1", "--out", out])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(input): changed since the plan was made"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    // MARK: - dsprep-ray on a local Ray

    /// Runs `dsprep-ray tokenize INPUT --num-shards 4` (or another command, with its flags) on the
    /// shared local session; returns the output and the figures.
    private func launch(_ inputs: [String], command: String = "tokenize", out name: String = "ray-out", flags: [String]? = nil,
                        environment: [String: String] = [:]) throws -> (out: String, figures: [String: Any]) {
        let session = try RaySession.start()
        let out = work.appendingPathComponent(name).path
        let figures = work.appendingPathComponent("figures.json").path
        let result = try ChildProcess.run(
            session.launcher,
            [command] + inputs + ["--num-shards", "4", "--out", out, "--dsprep", DSPrepBinary.url.path, "--stats-json", figures]
                + (flags ?? ["--tokenizer", tokenizer]),
            environment: session.environment.merging(environment) { $1 })
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("shard 3/4: done"), result.stderr)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: figures)))
        return (out, try XCTUnwrap(parsed as? [String: Any]))
    }

    func testRayRunOnTheSampleEqualsASingleRun() throws {
        let (out, figures) = try launch([sample])
        XCTAssertEqual(try dataBytes(out), try dataBytes(try singleRun(sample)))
        let shards = try XCTUnwrap(figures["shards"] as? [[String: Any]])
        XCTAssertEqual(shards.compactMap { $0["rows"] as? Int }, [750, 750, 750, 750])
        // No plan or part folders are left beside the output.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("dsprep-ray") }
        XCTAssertEqual(leftovers, [])
    }

    func testRayRunOnALargerFileEqualsASingleRun() throws {
        let input = try generatedInput()
        let (out, figures) = try launch([input])
        XCTAssertEqual(try dataBytes(out), try dataBytes(try singleRun(input)))
        let size = try XCTUnwrap(figures["input_bytes"] as? Int)
        for shard in try XCTUnwrap(figures["shards"] as? [[String: Any]]) {
            let read = try XCTUnwrap(shard["bytesRead"] as? Int)
            XCTAssertEqual(Double(read) / Double(size), 0.25, accuracy: 0.02, "each task reads about a quarter of the input")
        }
    }

    func testRayRunOnTwoSplitsEqualsASingleRun() throws {
        let inputs = try twoSplits()
        let (out, _) = try launch(inputs)
        XCTAssertEqual(try collectionBytes(out), try collectionBytes(try singleRun(inputs[0], inputs[1])))
    }

    func testRayVocabularyIsTheSingleRunsFile() throws {
        for model in ["wordpiece", "unigram"] {
            let name = "ray-\(model).\(model == "unigram" ? "model" : "json")"
            // Unigram: a killed first attempt of shard 2 is retried (its counts file is replaced).
            let (out, figures) = try launch([sample], command: "vocab", out: name, flags: vocabFlags(model),
                                            environment: model == "unigram" ? ["DSPREP_RAY_FAIL_FIRST_ATTEMPT": "2"] : [:])
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try singleVocabulary([sample], model: model), model)
            let shards = try XCTUnwrap(figures["shards"] as? [[String: Any]])
            XCTAssertEqual(shards.compactMap { $0["rows"] as? Int }, [750, 750, 750, 750])
            if model == "unigram" { XCTAssertEqual(shards.compactMap { $0["attempt"] as? Int }, [1, 1, 2, 1]) }
        }
    }

    func testKilledFirstAttemptIsRetriedAndGivesTheSameBytes() throws {
        let (out, figures) = try launch([sample], environment: ["DSPREP_RAY_FAIL_FIRST_ATTEMPT": "1"])
        XCTAssertEqual(try dataBytes(out), try dataBytes(try singleRun(sample)))
        let attempts = try XCTUnwrap(figures["shards"] as? [[String: Any]]).compactMap { $0["attempt"] as? Int }
        XCTAssertEqual(attempts, [1, 2, 1, 1])
    }
}

/// One local Ray (2 CPUs, 127.0.0.1 only) for all the tests of the class: `dsprep-ray
/// local-session` holds it until its stdin closes; each test connects with the address and
/// token it writes.
final class RaySession: @unchecked Sendable {
    nonisolated(unsafe) static var shared: RaySession?

    let launcher: String
    let environment: [String: String]
    private let process: Process
    private let input: Pipe

    private init(launcher: String, environment: [String: String], process: Process, input: Pipe) {
        self.launcher = launcher
        self.environment = environment
        self.process = process
        self.input = input
    }

    static func start() throws -> RaySession {
        if let shared { return shared }
        let python = try TestEnvironment.requireRayPython()
        let launcher = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("dsprep-ray").path
        guard FileManager.default.isExecutableFile(atPath: launcher) else {
            throw TestEnvironment.missing("needs dsprep-ray beside \(python) (tools/setup/setup-ray.sh installs it)")
        }
        let folder = try TestEnvironment.temporaryDirectory()
        let envFile = folder.appendingPathComponent("ray.env").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher)
        process.arguments = ["local-session", "--num-cpus", "2", "--env-file", envFile]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        // A connecting client may inherit a cluster address from the caller: never here.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RAY_") }
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: envFile) {
            guard process.isRunning, Date() < deadline else {
                if process.isRunning { process.terminate() }
                throw XCTestError(.failureWhileWaiting, userInfo: [NSLocalizedDescriptionKey: "the local Ray session did not start"])
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        var environment: [String: String] = [:]
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { environment[parts[0]] = parts[1] }
        }
        try? FileManager.default.removeItem(at: folder)
        guard environment["RAY_ADDRESS"]?.hasPrefix("127.0.0.1:") == true else {
            process.terminate()
            throw XCTestError(.failureWhileWaiting, userInfo: [NSLocalizedDescriptionKey: "the local Ray is not on loopback: \(environment)"])
        }
        let session = RaySession(launcher: launcher, environment: environment, process: process, input: input)
        shared = session
        return session
    }

    /// Closes the session's stdin (it shuts its Ray down) and waits for it.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning { process.terminate() }
        Self.shared = nil
    }
}
