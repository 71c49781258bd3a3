import Foundation
import TestSupport
import XCTest
@testable import Training

/// Loading HF model folders: names with or without the base prefix, what is reported, and the
/// errors for what dsprep cannot build (each naming the file or tensor).
final class PretrainedModelTests: XCTestCase {
    var folder: URL!
    let source = FinetuneParityTests.fixtures.appendingPathComponent("bert-classification").path

    override func setUpWithError() throws { folder = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    /// Writes config.json (the fixture's, edited) and model.safetensors (the fixture's tensors, renamed).
    func makeFolder(config edit: (inout [String: Any]) -> Void = { _ in },
                    tensors rename: (String) -> String? = { $0 }, extra: [String] = []) throws -> String {
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source + "/config.json"))) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        let (model, _) = try PretrainedModel.load(folder: source, task: .classification(labels: 3), seed: 0)
        var tensors = Safetensors.tensors(of: model.parameters).compactMap { tensor -> Safetensors.Tensor? in
            var renamed = tensor
            guard let name = rename(tensor.name) else { return nil }
            renamed.name = name
            return renamed
        }
        tensors += extra.map { Safetensors.Tensor(name: $0, shape: [3], values: model.parameters.value(0)) }
        try Safetensors.write(tensors, to: folder.appendingPathComponent("model.safetensors").path)
        return folder.path
    }

    func testBaseModelNamesLoadAndTheHeadAndExtrasAreReported() throws {
        // A BertModel save (no prefix, no head) with an MLM head's tensor besides.
        let path = try makeFolder(tensors: { $0.hasPrefix("bert.") ? String($0.dropFirst(5)) : nil }, extra: ["cls.predictions.bias"])
        let (model, report) = try PretrainedModel.load(folder: path, task: .regression, seed: 3)
        XCTAssertEqual(report.newlyInitialized, ["classifier.weight", "classifier.bias"])
        XCTAssertEqual(report.unused, ["cls.predictions.bias"])
        XCTAssertEqual(report.messages(folder: "F"), [
            "Some weights were not in F and are newly initialized: classifier.weight, classifier.bias",
            "Some weights of F were not used: cls.predictions.bias"])
        // newly initialized as HF: normal(0, 0.02) weights, zero bias
        let head = try XCTUnwrap(model.parameters.index(of: "classifier.weight"))
        let weights = UnsafeBufferPointer(start: model.parameters.value(head), count: model.parameters.specs[head].count)
        XCTAssertLessThan(weights.map(abs).max() ?? 1, 0.12)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: model.parameters.value(head + 1), count: 1)), [0])
        // only the head is initialized, with the values a whole initialization with the seed gives it
        let fresh = try BertModel(configuration: model.configuration, loss: TaskLoss(task: .regression), seed: 3)
        XCTAssertEqual(Array(weights), Array(UnsafeBufferPointer(start: fresh.parameters.value(head), count: weights.count)))
    }

    func testUnsupportedConfigsAndShapesAreClearErrors() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return String(describing: error) }
            return "no error"
        }
        var path = try makeFolder(config: { $0["hidden_act"] = "relu" })
        XCTAssertTrue(message { _ = try PretrainedModel.load(folder: path, task: .regression, seed: 0) }
            .contains("config.json: hidden_act \"relu\" is not supported"))
        path = try makeFolder(config: { $0["model_type"] = "gpt2" })
        XCTAssertTrue(message { _ = try PretrainedModel.load(folder: path, task: .regression, seed: 0) }
            .contains("model_type \"gpt2\" is not supported (dsprep fine-tunes bert, roberta, xlm-roberta, electra, distilbert)"))
        // the folder's head has 3 labels; asking for 5 is a shape error naming both shapes
        let wrong = message { _ = try PretrainedModel.load(folder: source, task: .classification(labels: 5), seed: 0) }
        XCTAssertTrue(wrong.contains("tensor classifier.bias has shape [3], but the model's classifier.bias is [5]"), wrong)
        path = try makeFolder()
        try FileManager.default.removeItem(atPath: path + "/model.safetensors")
        let noWeights = message { _ = try PretrainedModel.load(folder: path, task: .regression, seed: 0) }
        XCTAssertTrue(noWeights.contains("holds none of model.safetensors, model.safetensors.index.json, pytorch_model.bin"), noWeights)
    }

    static let distilBert = FinetuneParityTests.fixtures.appendingPathComponent("distilbert-classification").path

    /// DistilBERT's config.json (as transformers' save_pretrained wrote it) reads as the BERT
    /// settings it means, and a checkpoint's config.json carries them under DistilBERT's own keys
    /// again, with no BERT key transformers would have to map.
    func testDistilBertConfigKeysAreReadAndWrittenAsDistilBertNamesThem() throws {
        let (configuration, task, document) = try PretrainedModel.configuration(in: Self.distilBert)
        XCTAssertEqual(configuration.modelType, .distilbert)
        // the generator's tiny shape: dim 32, 2 layers, 4 heads, hidden_dim 64
        XCTAssertEqual([configuration.hiddenSize, configuration.numHiddenLayers, configuration.numAttentionHeads,
                        configuration.intermediateSize, configuration.typeVocabSize], [32, 2, 4, 64, 0])
        XCTAssertEqual(configuration.classifierDropout, 0.2, "seq_classif_dropout")
        XCTAssertEqual(configuration.layerNormEps, 1e-12)
        XCTAssertEqual(configuration.attentionOutputDropoutProb, 0, "DistilBERT has no dropout after out_lin")
        XCTAssertEqual(configuration.hiddenDropoutProb, 0.1, "but after ffn.lin2 and the embeddings")
        XCTAssertEqual(task, .classification(labels: 3))

        let written = try configuration.configJSON(task: task, base: document)
        for key in ["dim", "n_layers", "n_heads", "hidden_dim", "dropout", "attention_dropout", "activation", "seq_classif_dropout",
                    "vocab_size", "max_position_embeddings", "pad_token_id", "qa_dropout", "sinusoidal_pos_embds"] {
            XCTAssertEqual(written[key], document[key], key)
        }
        for key in ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_dropout_prob",
                    "attention_probs_dropout_prob", "hidden_act", "classifier_dropout", "type_vocab_size", "layer_norm_eps",
                    "position_embedding_type"] {
            XCTAssertNil(written[key], key)
        }
        XCTAssertEqual(written["architectures"], .array([.string("DistilBertForSequenceClassification")]))
        let (reread, _, _) = try BertConfiguration.load(document: written, path: "written/config.json")
        XCTAssertEqual(reread, configuration)
    }

    func testDistilBertConfigsDsprepCannotBuildAreClearErrors() throws {
        func message(editing edit: (inout [String: Any]) -> Void) throws -> String {
            var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.distilBert + "/config.json"))) as? [String: Any])
            edit(&config)
            let path = folder.appendingPathComponent("config.json").path
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
            do { _ = try BertConfiguration.load(configAt: path) } catch { return String(describing: error) }
            return "no error"
        }
        XCTAssertTrue(try message { $0["sinusoidal_pos_embds"] = true }.contains("config.json: sinusoidal_pos_embds: true is not supported"))
        XCTAssertTrue(try message { $0["activation"] = "relu" }.contains("config.json: activation \"relu\" is not supported"))
        let missing = try message { $0["dim"] = nil; $0["n_heads"] = nil }
        XCTAssertTrue(missing.contains("config.json: a distilbert config needs dim, n_heads"), missing)
    }

    /// DistilBERT takes no token_type_ids: token types in a batch change nothing.
    func testDistilBertIgnoresTokenTypes() throws {
        let (model, _) = try PretrainedModel.load(folder: Self.distilBert, task: .classification(labels: 3), seed: 0)
        XCTAssertNil(model.parameters.specs.first { $0.name.contains("token_type") })
        let ids: [Int32] = [2, 10, 11, 12, 3, 13, 14, 3, 2, 15, 3, 0, 0, 0, 0, 0]
        let mask: [Int32] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
        // a pair's segments; 7 is beyond any type table: not read, so not checked either
        let types: [Int32] = [0, 0, 0, 0, 0, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0]
        _ = try model.forward(try Batch(size: 2, length: 8, inputIds: ids, attentionMask: mask), training: false)
        let without = Array(model.outputs)
        _ = try model.forward(try Batch(size: 2, length: 8, inputIds: ids, attentionMask: mask, tokenTypeIds: types), training: false)
        XCTAssertEqual(Array(model.outputs), without)
    }
}
