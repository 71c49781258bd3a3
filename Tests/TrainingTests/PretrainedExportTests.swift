import Foundation
import TestSupport
import XCTest
@testable import Training

/// The real pretrained folders (../shared/models/fetch-models.sh) against transformers, live: dsprep
/// loads the folder with a fresh head (seeded), saves it as a checkpoint, and transformers'
/// AutoModelForSequenceClassification / AutoTokenizer load that checkpoint without reports of
/// missing or unexpected weights and compute the same logits on a padded batch of mixed lengths;
/// then both fine-tune that checkpoint on the batch with dropout off: the same gradient for every
/// parameter after one backward and the same parameters after 3 AdamW steps (`TrainingParity`).
/// The same for bi-encoder checkpoints, which sentence-transformers loads (`compareBiEncoder`).
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
                    labels: .classes([0, 1, 1, 0, 1, 0]), newlyInitialized: ["bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"])
    }

    func testMiniLMRegressorOnPairsLoadsInTransformersWithTheSameLogits() throws {
        let folder = try TestEnvironment.requireModel("all-MiniLM-L6-v2").path
        try compare(folder: folder, sentences: Self.englishPairs, task: .regression, labelNames: nil,
                    labels: .values([1.7, 0.2, 3.1]), newlyInitialized: ["classifier.weight", "classifier.bias"])
    }

    /// A tiny random DistilBERT with its own WordPiece tokenizer (the fixture generator's), so the
    /// checkpoint goes through AutoTokenizer too; DistilBERT's tokenizer gives no token_type_ids.
    func testDistilBertClassifierLoadsInTransformersWithTheSameLogits() throws {
        let folder = FinetuneParityTests.fixtures.appendingPathComponent("distilbert-classification").path
        try compare(folder: folder, sentences: ["i loved this film", "the story was long and the ending was very boring",
                                                "a good movie for kids"],
                    task: .classification(labels: 3), labelNames: ["negative", "neutral", "positive"], labels: .classes([2, 0, 1]),
                    newlyInitialized: [])
    }

    /// The same tiny DistilBERT as a bi-encoder: sentence-transformers loads the checkpoint as
    /// Transformer + mean Pooling over `DistilBertModel`.
    func testDistilBertBiEncoderLoadsInSentenceTransformersWithTheSameSimilarities() throws {
        let folder = FinetuneParityTests.fixtures.appendingPathComponent("distilbert-classification").path
        try compareBiEncoder(folder: folder, pairs: [["i loved this film", "i liked the movie"],
                                                     ["the story was long and the ending was very boring", "a funny show"],
                                                     ["kids love music", "the kids loved the songs in this film"]],
                             scores: [4.1, 0.6, 3.3])
    }

    static let koreanPairs = [["한 남자가 큰 플루트를 연주하고 있다.", "남자가 플루트를 연주하고 있다."],
                              ["비행기가 이륙하고 있다.", "한 여자가 양파를 썰고 있다."],
                              ["세 남자가 체스를 두고 있다.", "두 남자가 체스를 하고 있다."]]

    func testMultilingualE5BiEncoderLoadsInSentenceTransformersWithTheSameSimilarities() throws {
        let folder = try TestEnvironment.requireModel("multilingual-e5-small").path
        try compareBiEncoder(folder: folder, pairs: Self.koreanPairs, scores: [3.8, 0.2, 2.6])
    }

    func testMiniLMBiEncoderLoadsInSentenceTransformersWithTheSameSimilarities() throws {
        let folder = try TestEnvironment.requireModel("all-MiniLM-L6-v2").path
        try compareBiEncoder(folder: folder, pairs: Self.englishPairs, scores: [1.7, 0.2, 3.1])
    }

    /// A bi-encoder checkpoint (scores 0…5) that SentenceTransformer(checkpoint) loads as Transformer + mean
    /// Pooling with cosine similarity, giving dsprep's predictions / 5; then the same fine-tuning
    /// of the loaded encoder on the pairs (`TrainingParity`).
    func compareBiEncoder(folder: String, pairs: [[String]], scores: [Float]) throws {
        let (model, report) = try PretrainedModel.load(folder: folder, task: .regression, seed: 7) {
            ($0.output, $0.scoreScale) = (.cosineSimilarity, 5)
        }
        XCTAssertEqual(report.newlyInitialized, [], "a bi-encoder has no head to initialize")
        let oracle = try OracleRun(script: "sentence-transformers-similarity.py", model: model, labelNames: nil, tokenizer: folder,
                                   texts: pairs, labels: .values(scores))
        defer { oracle.remove() }
        let result = oracle.result
        XCTAssertEqual(result["modules"] as? [String], ["Transformer", "Pooling"])
        XCTAssertEqual(result["pooling"] as? String, "mean")
        XCTAssertEqual(result["similarity_fn_name"] as? String, "cosine")
        // the checkpoint holds the encoder alone: only an unused pooler may be reported missing
        let warnings = try XCTUnwrap(result["warnings"] as? [String])
        XCTAssertTrue(warnings.allSatisfy { $0.contains("pooler") }, "\(warnings)")

        func matrix(_ key: String) -> [[Int32]]? { (result[key] as? [[Int]])?.map { $0.map { Int32($0) } } }
        let ids = try XCTUnwrap(matrix("input_ids")), mask = try XCTUnwrap(matrix("attention_mask"))
        XCTAssertEqual(ids.count, 2 * pairs.count)
        XCTAssertGreaterThan(Set(mask.map { $0.reduce(0, +) }).count, 1, "the batch mixes lengths, so it is padded")
        let batch = try Batch(size: pairs.count, length: ids[0].count, inputIds: ids.flatMap { $0 }, attentionMask: mask.flatMap { $0 },
                              labels: .values(scores), sequencesPerRow: 2)
        _ = try model.forward(batch, training: false)
        let expected = try XCTUnwrap(result["similarity"] as? [Double]).map { 5 * Float($0) }
        let difference = zip(Array(model.outputs), expected).map { abs($0 - $1) }.max() ?? .infinity
        print("\(URL(fileURLWithPath: folder).lastPathComponent) bi-encoder: 5·cosine max abs difference \(difference) over \(expected.count) pairs")
        XCTAssertEqual(model.outputs.count, expected.count)
        XCTAssertLessThanOrEqual(difference, 1e-4)

        // dsprep reads the checkpoint back as a bi-encoder
        let (reloaded, _) = try ModelFiles.load(from: oracle.checkpoint)
        XCTAssertEqual((reloaded as? BertModel)?.configuration.output, .cosineSimilarity)
        _ = try reloaded.forward(batch, training: false)
        XCTAssertEqual(Array(reloaded.outputs), Array(model.outputs))

        let parity = TrainingParity(batch: batch, learningRate: OracleRun.learningRate, weightDecay: OracleRun.weightDecay,
                                    steps: OracleRun.steps, expected: try SafetensorsFile(path: oracle.expectedPath))
        print(try parity.check(URL(fileURLWithPath: folder).lastPathComponent + " bi-encoder", decayed: nil) {
            let (model, _) = try PretrainedModel.load(folder: oracle.checkpoint, task: .regression, seed: 7) {
                ($0.hiddenDropoutProb, $0.attentionProbsDropoutProb) = (0, 0)
            }
            XCTAssertEqual(model.configuration.output, .cosineSimilarity, "the checkpoint's config says bi-encoder")
            return model
        })
    }

    func compare(folder: String, sentences: [Any], task: ProblemType, labelNames: [String]?, labels: Batch.Labels,
                 newlyInitialized: [String]) throws {
        let (model, report) = try PretrainedModel.load(folder: folder, task: task, seed: 7)
        XCTAssertEqual(report.newlyInitialized, newlyInitialized)
        XCTAssertEqual(report.unused, [], "integer buffers such as position_ids are skipped, not unused")

        let oracle = try OracleRun(script: "transformers-logits.py", model: model, labelNames: labelNames, tokenizer: folder,
                                   texts: sentences, labels: labels)
        defer { oracle.remove() }
        let result = oracle.result
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
        let (reloaded, names) = try ModelFiles.load(from: oracle.checkpoint)
        XCTAssertEqual(names, task == .regression ? nil : labelNames)
        _ = try reloaded.forward(batch, training: false)
        XCTAssertEqual(Array(reloaded.outputs), actual)

        // fine-tuning the checkpoint on the batch, dropout off as transformers ran it (eval mode)
        let labelled = try Batch(size: batch.size, length: batch.length, inputIds: batch.inputIds, attentionMask: batch.attentionMask,
                                 tokenTypeIds: batch.tokenTypeIds, labels: labels)
        let parity = TrainingParity(batch: labelled, learningRate: OracleRun.learningRate, weightDecay: OracleRun.weightDecay,
                                    steps: OracleRun.steps, expected: try SafetensorsFile(path: oracle.expectedPath))
        print(try parity.check(URL(fileURLWithPath: folder).lastPathComponent, decayed: nil) {
            let (model, report) = try PretrainedModel.load(folder: oracle.checkpoint, task: task, seed: 7) {
                ($0.hiddenDropoutProb, $0.attentionProbsDropoutProb, $0.classifierDropout) = (0, 0, 0)
            }
            XCTAssertEqual(report, PretrainedModel.LoadReport(), "the checkpoint has every parameter")
            return model
        })
    }

    /// A Python oracle of tools/oracles run on `model` saved as a checkpoint (with `tokenizer`'s
    /// files): it loads the checkpoint as users do, encodes `texts`, and fine-tunes it on them with
    /// `labels` and the setting below, writing what PyTorch computed to `expectedPath`.
    struct OracleRun {
        static let (learningRate, weightDecay, steps): (Float, Float, Int) = (1e-4, 0.01, 3)
        let work: URL
        let checkpoint: String
        let expectedPath: String
        /// the JSON object the oracle printed
        let result: [String: Any]

        init(script: String, model: BertModel, labelNames: [String]?, tokenizer: String, texts: [Any], labels: Batch.Labels) throws {
            let python = try TestEnvironment.requireTorchPython()
            work = try TestEnvironment.temporaryDirectory()
            checkpoint = work.appendingPathComponent("checkpoint").path
            try FileManager.default.createDirectory(atPath: checkpoint, withIntermediateDirectories: false)
            try ModelFiles.save(model, labelNames: labelNames, in: checkpoint)
            try ModelFiles.copyTokenizer(from: tokenizer, to: checkpoint)
            let textsPath = work.appendingPathComponent("texts.json").path
            try JSONSerialization.data(withJSONObject: texts).write(to: URL(fileURLWithPath: textsPath))
            let labelValues: [Any] = switch labels {
            case .classes(let classes): classes.map { Int($0) }
            case .values(let values): values.map { Double($0) }
            }
            let trainingPath = work.appendingPathComponent("training.json").path
            try JSONSerialization.data(withJSONObject: ["labels": labelValues, "learning_rate": Double(Self.learningRate),
                                                        "weight_decay": Double(Self.weightDecay), "steps": Self.steps] as [String: Any])
                .write(to: URL(fileURLWithPath: trainingPath))
            expectedPath = work.appendingPathComponent("expected.safetensors").path
            let path = TestEnvironment.repositoryRoot.appendingPathComponent("tools/oracles/" + script).path
            let run = try ChildProcess.run(python, [path, checkpoint, textsPath, "--train", trainingPath, expectedPath])
            XCTAssertEqual(run.status, 0, run.stderr)
            result = try XCTUnwrap(try JSONSerialization.jsonObject(with: run.stdoutData) as? [String: Any], run.stdout)
        }

        func remove() { try? FileManager.default.removeItem(at: work) }
    }
}
