import Foundation
import TestSupport
import XCTest
@testable import Training

/// The real pretrained folders (../shared/models/fetch-models.sh) against transformers, live: dsprep
/// loads the folder with a fresh head (seeded), saves it as a checkpoint, and transformers'
/// AutoModelForSequenceClassification / AutoTokenizer load that checkpoint without reports of
/// missing or unexpected weights and compute the same logits on a padded batch of mixed lengths.
/// Skips without the models or DSPREP_TORCH_PYTHON.
final class PretrainedExportTests: XCTestCase {
    static let korean = ["아 더빙.. 진짜 짜증나네요 목소리", "흠...포스터보고 초딩영화줄....오버연기조차 가볍지 않구나",
                         "너무재밓었다그래서보는것을추천한다", "교도소 이야기구먼 ..솔직히 재미는 없다..평점 조정",
                         "사이몬페그의 익살스런 연기가 돋보였던 영화!스파이더맨에서 늙어보이기만 했던 커스틴 던스트가 너무나도 이뻐보였다",
                         "좋아요"]
    static let englishPairs = [["A man is playing a guitar.", "A person plays an instrument on a stage in front of a large crowd."],
                               ["The cat sits on the mat.", "A dog runs."],
                               ["Stocks fell sharply on Monday after the announcement.", "Markets dropped."]]

    func testMultilingualE5ClassifierLoadsInTransformersWithTheSameLogits() throws {
        let folder = try TestEnvironment.requireModel("multilingual-e5-small").path
        try compare(folder: folder, sentences: Self.korean, task: .classification(labels: 2), labelNames: ["부정", "긍정"],
                    newlyInitialized: ["bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"])
    }

    func testMiniLMRegressorOnPairsLoadsInTransformersWithTheSameLogits() throws {
        let folder = try TestEnvironment.requireModel("all-MiniLM-L6-v2").path
        try compare(folder: folder, sentences: Self.englishPairs, task: .regression, labelNames: nil,
                    newlyInitialized: ["classifier.weight", "classifier.bias"])
    }

    func compare(folder: String, sentences: [Any], task: Task, labelNames: [String]?, newlyInitialized: [String]) throws {
        let python = try TestEnvironment.requireTorchPython()
        let (model, report) = try PretrainedModel.load(folder: folder, task: task, seed: 7)
        XCTAssertEqual(report.newlyInitialized, newlyInitialized)
        XCTAssertEqual(report.unused, [], "integer buffers such as position_ids are skipped, not unused")

        let output = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: output) }
        try ModelFiles.save(model, labelNames: labelNames, in: output.path)
        try ModelFiles.copyTokenizer(from: folder, to: output.path)
        let sentencesPath = output.appendingPathComponent("sentences.json").path
        try JSONSerialization.data(withJSONObject: sentences).write(to: URL(fileURLWithPath: sentencesPath))
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("tools/transformers-logits.py").path
        let run = try ChildProcess.run(python, [script, output.path, sentencesPath])
        XCTAssertEqual(run.status, 0, run.stderr)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: run.stdoutData) as? [String: Any], run.stdout)
        XCTAssertEqual(result["architecture"] as? String, model.configuration.modelType.sequenceClassificationArchitecture)
        XCTAssertEqual(result["missing"] as? [String], [])
        XCTAssertEqual(result["unexpected"] as? [String], [])
        XCTAssertEqual((result["mismatched"] as? [Any])?.count, 0)
        XCTAssertEqual(result["warnings"] as? [String], [], "transformers loads the checkpoint without warnings")

        func matrix(_ key: String) -> [[Int32]]? { (result[key] as? [[Int]])?.map { $0.map { Int32($0) } } }
        let ids = try XCTUnwrap(matrix("input_ids")), mask = try XCTUnwrap(matrix("attention_mask"))
        XCTAssertGreaterThan(Set(mask.map { $0.reduce(0, +) }).count, 1, "the batch mixes lengths, so it is padded")
        let batch = try Batch(size: ids.count, length: ids[0].count, inputIds: ids.flatMap { $0 }, attentionMask: mask.flatMap { $0 },
                              tokenTypeIds: matrix("token_type_ids")?.flatMap { $0 })
        _ = try model.forward(batch, training: false)
        let expected = try XCTUnwrap(result["logits"] as? [[Double]]).flatMap { $0 }.map { Float($0) }
        let actual = Array(model.outputs)
        XCTAssertEqual(actual.count, expected.count)
        let difference = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
        print("\(URL(fileURLWithPath: folder).lastPathComponent): logits max abs difference \(difference) over \(expected.count) values")
        XCTAssertLessThanOrEqual(difference, 1e-4)

        // and dsprep reads the checkpoint back as it wrote it
        let (reloaded, names) = try ModelFiles.load(from: output.path)
        XCTAssertEqual(names, task == .regression ? nil : labelNames)
        _ = try reloaded.forward(batch, training: false)
        XCTAssertEqual(Array(reloaded.outputs), actual)
    }
}
