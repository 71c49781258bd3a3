import Foundation
import TestSupport
import XCTest
@testable import Training

/// dsprep against PyTorch + transformers on tiny random models of every architecture it
/// fine-tunes (Fixtures/finetune, written by tools/fixtures/generate-finetune-fixtures.py): the same
/// padded batch gives the same logits and loss, the same gradient for every parameter, and the
/// same parameters after 3 AdamW steps with the HF Trainer's weight-decay groups (`TrainingParity`).
/// The *-bi-encoder cases are sentence-transformers bi-encoders (mean pooling, cosine, MSE to
/// score / scale, or CoSENT for *-cosent) on pairs of separately padded texts.
final class FinetuneParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/finetune")
    static let cases = ["bert-classification", "bert-regression", "roberta-classification", "xlm-roberta-regression",
                        "electra-classification", "electra-projected-regression",
                        "bert-bi-encoder", "xlm-roberta-bi-encoder", "electra-projected-bi-encoder", "bert-bi-encoder-cosent",
                        "distilbert-classification", "distilbert-regression", "distilbert-bi-encoder"]

    struct Fixture {
        var folder: String
        var decayed: Set<String>
        var parity: TrainingParity
        /// the score scale of a bi-encoder case; nil for a classification head
        var biEncoderScoreScale: Float?
        var similarityLoss = BertConfiguration.SimilarityLoss.cosine

        init(_ name: String) throws {
            folder = FinetuneParityTests.fixtures.appendingPathComponent(name).path
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/batch.json"))
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            func matrix(_ key: String) -> [[Int32]]? { (object[key] as? [[Int]])?.map { $0.map { Int32($0) } } }
            let ids = try XCTUnwrap(matrix("input_ids")), mask = try XCTUnwrap(matrix("attention_mask"))
            biEncoderScoreScale = (object["bi_encoder_score_scale"] as? Double).map { Float($0) }
            let sequencesPerRow = biEncoderScoreScale == nil ? 1 : 2
            if let loss = object["similarity_loss"] as? String { similarityLoss = try XCTUnwrap(BertConfiguration.SimilarityLoss(rawValue: loss)) }
            let labels: Batch.Labels
            if let classes = object["labels"] as? [Int] { labels = .classes(classes.map { Int32($0) }) } else {
                labels = .values(try XCTUnwrap(object["labels"] as? [Double]).map { Float($0) })
            }
            parity = TrainingParity(
                batch: try Batch(size: ids.count / sequencesPerRow, length: ids[0].count, inputIds: ids.flatMap { $0 },
                                 attentionMask: mask.flatMap { $0 }, tokenTypeIds: matrix("token_type_ids")?.flatMap { $0 }, labels: labels,
                                 sequencesPerRow: sequencesPerRow),
                learningRate: Float(try XCTUnwrap(object["learning_rate"] as? Double)),
                weightDecay: Float(try XCTUnwrap(object["weight_decay"] as? Double)),
                steps: try XCTUnwrap(object["adamw_steps"] as? Int),
                expected: try SafetensorsFile(path: folder + "/expected.safetensors"))
            decayed = Set(try XCTUnwrap(object["decayed"] as? [String]))
        }

        func model() throws -> BertModel {
            let (_, configTask, _) = try PretrainedModel.configuration(in: folder)
            let task = biEncoderScoreScale == nil ? configTask : .regression
            // PyTorch ran in eval mode: no dropout
            let (model, report) = try PretrainedModel.load(folder: folder, task: task, seed: 1) { [biEncoderScoreScale, similarityLoss] in
                ($0.hiddenDropoutProb, $0.attentionProbsDropoutProb, $0.classifierDropout) = (0, 0, 0)
                if let biEncoderScoreScale {
                    ($0.output, $0.scoreScale, $0.similarityLoss) = (.cosineSimilarity, biEncoderScoreScale, similarityLoss)
                }
            }
            XCTAssertEqual(report, PretrainedModel.LoadReport(), "every tensor of a transformers save maps onto a parameter")
            return model
        }
    }

    func testEveryArchitectureMatchesPyTorch() throws {
        let summary = try Self.cases.map { name in
            let fixture = try Fixture(name)
            return try fixture.parity.check(name, decayed: fixture.decayed, makeModel: fixture.model)
        }
        print(summary.joined(separator: "\n"))
    }

    /// Frozen word embeddings: no gradient or AdamW state, unchanged by training, and the other
    /// gradients are those of the unfrozen model.
    func testFrozenWordEmbeddingsHaveNoGradientOrState() throws {
        let fixture = try Fixture("bert-classification")
        let (_, task, _) = try PretrainedModel.configuration(in: fixture.folder)
        let (frozen, _) = try PretrainedModel.load(folder: fixture.folder, task: task, seed: 1) {
            ($0.hiddenDropoutProb, $0.attentionProbsDropoutProb, $0.classifierDropout) = (0, 0, 0)
            $0.freezeWordEmbeddings = true
        }
        let store = frozen.parameters
        XCTAssertEqual(store.specs[0].name, "bert.embeddings.word_embeddings.weight")
        XCTAssertEqual(store.grads.count, store.count - store.specs[0].count)
        let initial = Array(UnsafeBufferPointer(start: store.value(0), count: store.specs[0].count))
        let parity = fixture.parity
        let optimizer = AdamW(parameters: store, configuration: AdamW.Configuration(weightDecay: parity.weightDecay))
        XCTAssertEqual(optimizer.m.count, store.grads.count)
        XCTAssertFalse(optimizer.stateTensors.contains { $0.name.hasSuffix("word_embeddings.weight") })
        for step in 0..<parity.steps {
            store.zeroGrads()
            _ = try frozen.forward(parity.batch, training: true)
            frozen.backward(lossScale: 1)
            if step == 0 {
                for index in 1..<store.specs.count where !TrainingParity.isKeyBias(store.specs[index].name) {
                    let e = TrainingParity.errors(UnsafeBufferPointer(start: store.grad(index), count: store.specs[index].count),
                                                  try parity.expected("grad." + store.specs[index].name))
                    XCTAssertLessThanOrEqual(e.rel, 1e-3, store.specs[index].name)
                }
            }
            optimizer.update(learningRate: parity.learningRate)
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: store.value(0), count: store.specs[0].count)), initial)
    }

    /// The packed RoBERTa positions are HF's: padding_idx + 1 onwards over non-pad tokens.
    func testRobertaPositionsStartAfterThePaddingIndex() throws {
        let packed = PackedBatch(heads: 1, positions: .afterPadding, padTokenId: 1)
        packed.pack(try Batch(size: 2, length: 4, inputIds: [0, 7, 8, 2, 0, 9, 1, 1], attentionMask: [1, 1, 1, 1, 1, 1, 0, 0]))
        XCTAssertEqual(packed.positions, [2, 3, 4, 5, 2, 3])
        XCTAssertEqual(packed.maxPosition, 5)
    }
}
