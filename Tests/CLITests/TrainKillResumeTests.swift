import Foundation
import TestSupport
import XCTest

/// kill -9 during `dsprep train`, while it writes checkpoints, then `--resume-from-checkpoint`
/// from the last complete one: training continues bit-exactly as if never interrupted. The kill
/// lands wherever the run happens to be (the outcome must not depend on where); the test only
/// waits until one checkpoint is complete, so it holds on any machine speed.
final class TrainKillResumeTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try TestEnvironment.temporaryDirectory()
        let tokenize = try SampleShards.tokenize(into: path("shards"), maxLength: 32)
        XCTAssertEqual(tokenize.status, 0, tokenize.stderr)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A tiny Transformer (dropout on, so the resumed dropout streams matter too) saving every step.
    func arguments(out: String) -> [String] {
        ["train", "--train", path("shards"), "--eval", path("shards"), "--output-dir", path(out), "--tokenizer", SampleShards.tokenizer,
         "--model", "transformer", "--layers", "1", "--hidden", "16", "--heads", "2", "--ffn", "32", "--max-position-embeddings", "32",
         "--max-steps", "24", "--batch-size", "16", "--learning-rate", "1e-3", "--eval-strategy", "steps", "--eval-steps", "1",
         "--eval-max-rows", "16", "--quiet"]
    }

    /// Checkpoints of `run` that are complete (their trainer_state.json is written last), by step.
    func completeCheckpoints(_ run: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(run))) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint-"), let step = Int(name.dropFirst("checkpoint-".count)),
                  FileManager.default.fileExists(atPath: path(run + "/" + name + "/trainer_state.json")) else { return nil }
            return step
        }.sorted()
    }

    func testKillDuringCheckpointsThenResumeIsBitExact() throws {
        let straight = try DSPrepBinary.run(arguments(out: "straight"))
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let process = Process()
        process.executableURL = DSPrepBinary.url
        process.arguments = arguments(out: "killed")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning && completeCheckpoints("killed").isEmpty { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Should the run have finished before the kill landed, the latest checkpoint before the end
        // still tests the resume, rather than skipping it.
        let last = try XCTUnwrap(completeCheckpoints("killed").last { $0 < 24 }, "a checkpoint was complete before the kill")

        let resumed = try DSPrepBinary.run(arguments(out: "killed") + ["--resume-from-checkpoint", path("killed/checkpoint-\(last)")])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let expected = try Data(contentsOf: URL(fileURLWithPath: path("straight/checkpoint-24/" + file)))
            let actual = try Data(contentsOf: URL(fileURLWithPath: path("killed/checkpoint-24/" + file)))
            XCTAssertTrue(actual == expected, "\(file) after resuming from step \(last) differs from the uninterrupted run")
        }
        // Nothing half-written is left beside the checkpoints once a run has written there again.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: path("killed")).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}
