import Foundation
import TestSupport
import XCTest
@testable import Training

final class SafetensorsTests: XCTestCase {
    func tinyModel(seed: UInt64) throws -> BertModel {
        let config = BertConfiguration(vocabSize: 20, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2,
                                       intermediateSize: 16, maxPositionEmbeddings: 16)
        return try BertModel(configuration: config, loss: TaskLoss(task: .classification(labels: 3)), seed: seed)
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("training-\(UUID().uuidString)-\(name)").path
    }

    func testRoundTripAndErrors() throws {
        let saved = try tinyModel(seed: 1)
        let path = temporaryPath("model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(saved.parameters, to: path)
        let loaded = try tinyModel(seed: 2)
        XCTAssertNotEqual(loaded.parameters.values.toArray(), saved.parameters.values.toArray())
        XCTAssertEqual(try Safetensors.load(path, into: loaded.parameters), [])
        XCTAssertEqual(loaded.parameters.values.toArray(), saved.parameters.values.toArray())

        // A model of another shape: the first mismatching tensor is named.
        let other = try BertModel(configuration: BertConfiguration(vocabSize: 21, hiddenSize: 8, numHiddenLayers: 2,
                                                                   numAttentionHeads: 2, intermediateSize: 16,
                                                                   maxPositionEmbeddings: 16),
                                  loss: TaskLoss(task: .classification(labels: 3)), seed: 1)
        XCTAssertThrowsError(try Safetensors.load(path, into: other.parameters)) {
            XCTAssertTrue("\($0)".contains("word_embeddings.weight") && "\($0)".contains("expected [21, 8]"), "\($0)")
        }
        // A truncated file is an error, not a crash.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [4, 8 + 20, data.count - 4] {
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Safetensors.load(path, into: loaded.parameters), "cut at \(cut)")
        }
        // Bad JSON in the header is located: a "," where the ":" after the first key belongs (column 16).
        var broken = data
        XCTAssertEqual(String(decoding: data[8..<(8 + 16)], as: UTF8.self), #"{"__metadata__":"#)
        broken[8 + 15] = UInt8(ascii: ",")
        try broken.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Safetensors.load(path, into: loaded.parameters)) {
            XCTAssertTrue("\($0)".contains(path + " (header):1:16"), "\($0)")
        }
    }

    /// The file read back by numpy from the documented layout: every tensor's shape, sum and
    /// first values.
    func testNumpyReadsTheLayout() throws {
        _ = try TestEnvironment.requirePython()
        let model = try tinyModel(seed: 3)
        let path = temporaryPath("model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Safetensors.write(model.parameters, to: path)
        let printed = try PythonPeer.json([PythonPeer.tool("oracles/training-safetensors-reference.py"), path])
        let result = try XCTUnwrap(printed as? [String: Any])
        let tensors = try XCTUnwrap(result["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(result["metadata"] as? [String: String], ["format": "pt"])
        XCTAssertEqual(Set(tensors.keys), Set(model.parameters.specs.map(\.name)))
        for (index, spec) in model.parameters.specs.enumerated() {
            let tensor = try XCTUnwrap(tensors[spec.name])
            XCTAssertEqual(tensor["shape"] as? [Int], spec.shape, spec.name)
            let values = UnsafeBufferPointer(start: model.parameters.value(index), count: spec.count)
            let sum = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(try XCTUnwrap(tensor["sum"] as? Double), sum, accuracy: 1e-9 * max(1, abs(sum)), spec.name)
            XCTAssertEqual((tensor["head"] as? [Double])?.map { Float($0) }, Array(values.prefix(3)), spec.name)
        }
    }

    func testConfigJSONRoundTripsWithHFKeys() throws {
        let config = BertConfiguration(vocabSize: 32000, hiddenSize: 256, numHiddenLayers: 4, numAttentionHeads: 4,
                                       intermediateSize: 1024, maxPositionEmbeddings: 128)
        let path = temporaryPath("config.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(config.configJSON(task: .regression).serialized().utf8).write(to: URL(fileURLWithPath: path))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        XCTAssertEqual(object["hidden_size"] as? Int, 256)
        XCTAssertEqual(object["num_hidden_layers"] as? Int, 4)
        XCTAssertEqual(object["hidden_act"] as? String, "gelu_new")
        XCTAssertEqual(object["model_type"] as? String, "bert")
        let (loaded, task, _) = try BertConfiguration.load(configAt: path)
        XCTAssertEqual(loaded, config)
        XCTAssertEqual(task, .regression)
        XCTAssertThrowsError(try BertConfiguration.load(configAt: path + ".missing"))
    }

    /// Resuming from saved parameters, optimizer state and the dropout stream counter continues
    /// exactly as the run that never stopped.
    func testOptimizerStateResumesBitExactly() throws {
        let steps = TrainingStep(baseLearningRate: 1e-2, schedule: Schedule(kind: .linear, warmupSteps: 2, totalSteps: 6))
        let batch = try Batch(size: 2, length: 3, inputIds: [1, 2, 3, 4, 5, 0], attentionMask: [1, 1, 1, 1, 1, 0],
                              labels: .classes([0, 2]))
        let reference = try tinyModel(seed: 4), referenceOptimizer = AdamW(parameters: reference.parameters)
        for _ in 0..<4 { _ = try steps.run(model: reference, microBatches: [batch], optimizer: referenceOptimizer) }

        let first = try tinyModel(seed: 4), firstOptimizer = AdamW(parameters: first.parameters)
        for _ in 0..<2 { _ = try steps.run(model: first, microBatches: [batch], optimizer: firstOptimizer) }
        let modelPath = temporaryPath("model.safetensors"), statePath = temporaryPath("optimizer.safetensors")
        defer { for path in [modelPath, statePath] { try? FileManager.default.removeItem(atPath: path) } }
        try Safetensors.write(first.parameters, to: modelPath)
        try firstOptimizer.saveState(to: statePath)

        // same --seed (it also keys dropout), fresh parameters and moments replaced from the files
        let resumed = try tinyModel(seed: 4), resumedOptimizer = AdamW(parameters: resumed.parameters)
        try Safetensors.load(modelPath, into: resumed.parameters)
        try resumedOptimizer.loadState(from: statePath)
        resumed.forwardCount = first.forwardCount  // trainer_state.json would carry it
        XCTAssertEqual(resumedOptimizer.step, 2)
        for _ in 0..<2 { _ = try steps.run(model: resumed, microBatches: [batch], optimizer: resumedOptimizer) }
        XCTAssertTrue(resumed.parameters.values.toArray() == reference.parameters.values.toArray(), "resumed run differs")
    }
}
