import Foundation
import TestSupport
import XCTest
@testable import Training

/// dsprep against PyTorch + transformers on tiny random models of every architecture it
/// fine-tunes (Fixtures/finetune, written by tools/generate-finetune-fixtures.py): the same
/// padded batch gives the same logits and loss, the same gradient for every parameter, and the
/// same parameters after 3 AdamW steps with the HF Trainer's weight-decay groups.
/// Relative errors are per tensor: max |dsprep − torch| / max |torch|.
///
/// Attention key biases are the exception: their true gradient is exactly 0 (a bias added to
/// every key shifts all of a query's scores alike, and softmax ignores the shift), so both sides
/// compute rounding noise (~1e-9), and AdamW, which divides by √v, turns noise into steps of ±lr
/// in directions that differ between the two. For them the gradients must both be ~0 and the
/// parameters after AdamW within the 2·steps·lr that noise can move them apart.
final class FinetuneParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/finetune")
    static let cases = ["bert-classification", "bert-regression", "roberta-classification", "xlm-roberta-regression",
                        "electra-classification", "electra-projected-regression"]

    struct Fixture {
        var folder: String
        var batch: Batch
        var learningRate: Float
        var weightDecay: Float
        var steps: Int
        var decayed: Set<String>
        var expected: SafetensorsFile

        init(_ name: String) throws {
            folder = FinetuneParityTests.fixtures.appendingPathComponent(name).path
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/batch.json"))
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            func matrix(_ key: String) -> [[Int32]]? { (object[key] as? [[Int]])?.map { $0.map { Int32($0) } } }
            let ids = try XCTUnwrap(matrix("input_ids")), mask = try XCTUnwrap(matrix("attention_mask"))
            let labels: Batch.Labels
            if let classes = object["labels"] as? [Int] { labels = .classes(classes.map { Int32($0) }) } else {
                labels = .values(try XCTUnwrap(object["labels"] as? [Double]).map { Float($0) })
            }
            batch = try Batch(size: ids.count, length: ids[0].count, inputIds: ids.flatMap { $0 }, attentionMask: mask.flatMap { $0 },
                              tokenTypeIds: matrix("token_type_ids")?.flatMap { $0 }, labels: labels)
            learningRate = Float(try XCTUnwrap(object["learning_rate"] as? Double))
            weightDecay = Float(try XCTUnwrap(object["weight_decay"] as? Double))
            steps = try XCTUnwrap(object["adamw_steps"] as? Int)
            decayed = Set(try XCTUnwrap(object["decayed"] as? [String]))
            expected = try SafetensorsFile(path: folder + "/expected.safetensors")
        }

        func model() throws -> BertModel {
            let (_, task, _) = try PretrainedModel.configuration(in: folder)
            // PyTorch ran in eval mode: no dropout
            let (model, report) = try PretrainedModel.load(folder: folder, task: task, seed: 1) {
                ($0.hiddenDropoutProb, $0.attentionProbsDropoutProb, $0.classifierDropout) = (0, 0, 0)
            }
            XCTAssertEqual(report, PretrainedModel.LoadReport(), "every tensor of a transformers save maps onto a parameter")
            return model
        }

        func expected(_ name: String) throws -> [Float] {
            let count = try XCTUnwrap(expected.shape(of: name), name).reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            try values.withUnsafeMutableBufferPointer { try expected.read(name, into: $0) }
            return values
        }
    }

    /// (max abs difference, max abs difference / max |expected|)
    static func errors(_ actual: UnsafeBufferPointer<Float>, _ expected: [Float]) -> (abs: Float, rel: Float) {
        precondition(actual.count == expected.count)
        var diff: Float = 0, scale: Float = 0
        for i in expected.indices {
            diff = max(diff, abs(actual[i] - expected[i]))
            scale = max(scale, abs(expected[i]))
        }
        return (diff, scale > 0 ? diff / scale : (diff == 0 ? 0 : .infinity))
    }

    func testEveryArchitectureMatchesPyTorch() throws {
        var summary: [String] = []
        for name in Self.cases {
            let fixture = try Fixture(name)
            let model = try fixture.model()

            // logits and loss
            model.parameters.zeroGrads()
            let loss = try XCTUnwrap(try model.forward(fixture.batch, training: true))
            let logits = Self.errors(model.outputs, try fixture.expected("logits"))
            XCTAssertLessThanOrEqual(logits.abs, 1e-4, "\(name): logits")
            XCTAssertEqual(loss, try fixture.expected("loss")[0], accuracy: 1e-4, "\(name): loss")

            // the gradient of every parameter after one backward
            model.backward(lossScale: 1)
            var worstGradient: (abs: Float, rel: Float, name: String) = (0, 0, "")
            for (index, spec) in model.parameters.specs.enumerated() {
                let expected = try fixture.expected("grad." + spec.name)
                let e = model.parameters.gradient(index).withUnsafeBufferPointer { Self.errors($0, expected) }
                if Self.isKeyBias(spec.name) {
                    XCTAssertLessThanOrEqual(e.abs, 1e-7, "\(name): gradient of \(spec.name) should be ~0")
                    continue
                }
                XCTAssertLessThanOrEqual(e.rel, 1e-3, "\(name): gradient of \(spec.name): max abs \(e.abs)")
                if e.rel > worstGradient.rel { worstGradient = (e.abs, e.rel, spec.name) }
            }

            // the HF Trainer's weight-decay groups, then 3 AdamW steps on the same batch
            let trained = try fixture.model()
            XCTAssertEqual(Set(trained.parameters.specs.filter(\.weightDecay).map(\.name)), fixture.decayed, "\(name): decay groups")
            let optimizer = AdamW(parameters: trained.parameters, configuration: AdamW.Configuration(weightDecay: fixture.weightDecay))
            for _ in 0..<fixture.steps {
                trained.parameters.zeroGrads()
                _ = try trained.forward(fixture.batch, training: true)
                trained.backward(lossScale: 1)
                optimizer.update(learningRate: fixture.learningRate)
            }
            var worstParameter: (abs: Float, rel: Float, name: String) = (0, 0, "")
            for (index, spec) in trained.parameters.specs.enumerated() {
                let values = UnsafeBufferPointer(start: trained.parameters.value(index), count: spec.count)
                let e = Self.errors(values, try fixture.expected("adamw." + spec.name))
                if Self.isKeyBias(spec.name) {
                    XCTAssertLessThanOrEqual(e.abs, 2 * Float(fixture.steps) * fixture.learningRate, "\(name): \(spec.name) after AdamW")
                    continue
                }
                XCTAssertLessThanOrEqual(e.rel, 1e-4, "\(name): \(spec.name) after \(fixture.steps) AdamW steps: max abs \(e.abs)")
                if e.rel > worstParameter.rel { worstParameter = (e.abs, e.rel, spec.name) }
            }
            summary.append(String(format: "%-30@ logits %.2e | loss %.2e | grad max abs %.2e rel %.2e (%@) | AdamW×%d max abs %.2e rel %.2e (%@)",
                                  name, logits.abs, abs(loss - (try fixture.expected("loss")[0])), worstGradient.abs, worstGradient.rel,
                                  worstGradient.name, fixture.steps, worstParameter.abs, worstParameter.rel, worstParameter.name))
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
        let optimizer = AdamW(parameters: store, configuration: AdamW.Configuration(weightDecay: fixture.weightDecay))
        XCTAssertEqual(optimizer.m.count, store.grads.count)
        XCTAssertFalse(optimizer.stateTensors.contains { $0.name.hasSuffix("word_embeddings.weight") })
        for step in 0..<fixture.steps {
            store.zeroGrads()
            _ = try frozen.forward(fixture.batch, training: true)
            frozen.backward(lossScale: 1)
            if step == 0 {
                for index in 1..<store.specs.count where !Self.isKeyBias(store.specs[index].name) {
                    let e = Self.errors(UnsafeBufferPointer(start: store.grad(index), count: store.specs[index].count),
                                        try fixture.expected("grad." + store.specs[index].name))
                    XCTAssertLessThanOrEqual(e.rel, 1e-3, store.specs[index].name)
                }
            }
            optimizer.update(learningRate: fixture.learningRate)
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: store.value(0), count: store.specs[0].count)), initial)
    }

    static func isKeyBias(_ name: String) -> Bool { name.hasSuffix("attention.self.key.bias") }

    /// The packed RoBERTa positions are HF's: padding_idx + 1 onwards over non-pad tokens.
    func testRobertaPositionsStartAfterThePaddingIndex() throws {
        let packed = PackedBatch(heads: 1, positions: .afterPadding, padTokenId: 1)
        packed.pack(try Batch(size: 2, length: 4, inputIds: [0, 7, 8, 2, 0, 9, 1, 1], attentionMask: [1, 1, 1, 1, 1, 1, 0, 0]))
        XCTAssertEqual(packed.positions, [2, 3, 4, 5, 2, 3])
        XCTAssertEqual(packed.maxPosition, 5)
    }
}
