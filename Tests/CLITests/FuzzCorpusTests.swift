import Foundation
import TestSupport
import XCTest

/// The fuzzing seeds (tools/fuzz/corpus) are valid files every parser accepts, and the inputs
/// fuzzing once crashed on (tools/fuzz/regressions) replay without a crash: `dsprep-fuzz` built
/// without libFuzzer replays files through the same targets `tools/fuzz/fuzz.sh` fuzzes.
final class FuzzCorpusTests: XCTestCase {
    private var fuzzBinary: String {
        DSPrepBinary.url.deletingLastPathComponent().appendingPathComponent("dsprep-fuzz").path
    }

    private func files(under folder: String) throws -> [String: [String]] {
        let root = TestEnvironment.repositoryRoot.appendingPathComponent(folder)
        guard FileManager.default.fileExists(atPath: root.path) else { return [:] }
        var result: [String: [String]] = [:]
        for target in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            let directory = root.appendingPathComponent(target)
            result[target] = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                .map { directory.appendingPathComponent($0).path }
        }
        return result
    }

    func testEverySeedIsAcceptedByItsParser() throws {
        let seeds = try files(under: "tools/fuzz/corpus")
        XCTAssertEqual(Set(seeds.keys), ["csv", "tsv", "jsonl", "json", "tokenizer-json", "vocab-txt", "spm-model", "arrow",
                                         "safetensors", "pytorch-bin", "train-config"])
        for (target, paths) in seeds {
            let result = try ChildProcess.run(fuzzBinary, [target] + paths)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("\(paths.count) inputs replayed, 0 rejected"), "\(target): \(result.stdout)")
        }
    }

    func testCrashReproducersReplayCleanly() throws {
        for (target, paths) in try files(under: "tools/fuzz/regressions") {
            let result = try ChildProcess.run(fuzzBinary, [target] + paths)
            XCTAssertEqual(result.status, 0, "\(target): \(result.stdout) \(result.stderr)")
        }
    }

    func testAnUnknownTargetIsAUsageError() throws {
        let result = try ChildProcess.run(fuzzBinary, ["yaml2"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("usage: dsprep-fuzz TARGET"), result.stderr)
    }
}
