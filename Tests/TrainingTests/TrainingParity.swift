import Foundation
import XCTest
@testable import Training

/// One batch of fine-tuning against what PyTorch + transformers computed on it
/// (tools/oracles/finetune_reference.py: "logits", "loss", "grad.NAME", "adamw.NAME"): the same logits
/// and loss, the same gradient for every parameter, and the same parameters after the AdamW
/// steps with the HF Trainer's weight-decay groups. Relative errors are per tensor:
/// max |dsprep − torch| / max |torch|.
///
/// Attention key biases are the exception: their true gradient is exactly 0 (a bias added to
/// every key shifts all of a query's scores alike, and softmax ignores the shift), so both sides
/// compute rounding noise (~1e-9), and AdamW, which divides by √v, turns noise into steps of ±lr
/// in directions that differ between the two. For them the gradients must both be ~0 and the
/// parameters after AdamW within the 2·steps·lr that noise can move them apart.
struct TrainingParity {
    var batch: Batch
    var learningRate: Float
    var weightDecay: Float
    var steps: Int
    var expected: SafetensorsFile

    func expected(_ name: String) throws -> [Float] {
        let count = try XCTUnwrap(expected.shape(of: name), name).reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { try expected.read(name, into: $0) }
        return values
    }

    /// (max abs difference, max abs difference / max |expected|)
    static func errors<C: Collection>(_ actual: C, _ expected: [Float]) -> (abs: Float, rel: Float) where C.Element == Float {
        let actual = Array(actual)
        precondition(actual.count == expected.count)
        var diff: Float = 0, scale: Float = 0
        for i in expected.indices {
            diff = max(diff, abs(actual[i] - expected[i]))
            scale = max(scale, abs(expected[i]))
        }
        return (diff, scale > 0 ? diff / scale : (diff == 0 ? 0 : .infinity))
    }

    /// The key projection's bias (BERT's `attention.self.key`, DistilBERT's `attention.k_lin`): softmax
    /// ignores what it adds to every score of a query, so its true gradient is 0 and both sides hold rounding noise.
    static func isKeyBias(_ name: String) -> Bool { name.hasSuffix("attention.self.key.bias") || name.hasSuffix("attention.k_lin.bias") }

    /// Checks `makeModel()` (a fresh model, dropout off, each call) against the expectations and
    /// returns a one-line summary of the worst errors. `decayed`: the names PyTorch decayed.
    func check(_ name: String, decayed: Set<String>?, makeModel: () throws -> BertModel) throws -> String {
        let model = try makeModel()
        model.parameters.zeroGrads()
        let loss = try XCTUnwrap(try model.forward(batch, training: true))
        let logits = Self.errors(model.outputs, try expected("logits"))
        XCTAssertLessThanOrEqual(logits.abs, 1e-4, "\(name): logits")
        XCTAssertEqual(loss, try expected("loss")[0], accuracy: 1e-4, "\(name): loss")

        // the gradient of every parameter after one backward
        model.backward(lossScale: 1)
        var worstGradient: (abs: Float, rel: Float, name: String) = (0, 0, "")
        for (index, spec) in model.parameters.specs.enumerated() {
            let expected = try expected("grad." + spec.name)
            let e = model.parameters.gradient(index).withUnsafeBufferPointer { Self.errors($0, expected) }
            if Self.isKeyBias(spec.name) {
                XCTAssertLessThanOrEqual(e.abs, 1e-7, "\(name): gradient of \(spec.name) should be ~0")
                continue
            }
            XCTAssertLessThanOrEqual(e.rel, 1e-3, "\(name): gradient of \(spec.name): max abs \(e.abs)")
            if e.rel > worstGradient.rel { worstGradient = (e.abs, e.rel, spec.name) }
        }

        // the HF Trainer's weight-decay groups, then the AdamW steps on the same batch
        let trained = try makeModel()
        if let decayed {
            XCTAssertEqual(Set(trained.parameters.specs.filter(\.weightDecay).map(\.name)), decayed, "\(name): decay groups")
        }
        let optimizer = AdamW(parameters: trained.parameters, configuration: AdamW.Configuration(weightDecay: weightDecay))
        for _ in 0..<steps {
            trained.parameters.zeroGrads()
            _ = try trained.forward(batch, training: true)
            trained.backward(lossScale: 1)
            optimizer.update(learningRate: learningRate)
        }
        var worstParameter: (abs: Float, rel: Float, name: String) = (0, 0, "")
        for (index, spec) in trained.parameters.specs.enumerated() {
            let values = UnsafeBufferPointer(start: trained.parameters.value(index), count: spec.count)
            let e = Self.errors(values, try expected("adamw." + spec.name))
            if Self.isKeyBias(spec.name) {
                XCTAssertLessThanOrEqual(e.abs, 2 * Float(steps) * learningRate, "\(name): \(spec.name) after AdamW")
                continue
            }
            XCTAssertLessThanOrEqual(e.rel, 1e-4, "\(name): \(spec.name) after \(steps) AdamW steps: max abs \(e.abs)")
            if e.rel > worstParameter.rel { worstParameter = (e.abs, e.rel, spec.name) }
        }
        return String(format: "%-30@ logits %.2e | loss %.2e | grad max abs %.2e rel %.2e (%@) | AdamW×%d max abs %.2e rel %.2e (%@)",
                      name, logits.abs, abs(loss - (try expected("loss")[0])), worstGradient.abs, worstGradient.rel,
                      worstGradient.name, steps, worstParameter.abs, worstParameter.rel, worstParameter.name)
    }
}
