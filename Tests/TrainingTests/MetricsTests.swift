import Foundation
import TestSupport
import XCTest
@testable import Training

final class MetricsTests: XCTestCase {
    /// A small case by hand: true [0,0,1,1,2], predicted [0,1,1,1,0].
    func testClassificationByHand() throws {
        var metrics = ClassificationMetrics(classCount: 3)
        let predicted = [0, 1, 1, 1, 0]
        let outputs = predicted.flatMap { p in (0..<3).map { Float($0 == p ? 1 : 0) } }
        try outputs.withUnsafeBufferPointer { try metrics.add(outputs: $0, labels: .classes([0, 0, 1, 1, 2])) }
        XCTAssertEqual(metrics.confusion, [1, 1, 0, 0, 2, 0, 1, 0, 0])
        let m = metrics.compute()
        XCTAssertEqual(m["accuracy"]!, 0.6, accuracy: 1e-12)
        // class 0: P 1/2 R 1/2 F 1/2; class 1: P 2/3 R 1 F 4/5; class 2: P 0 R 0 F 0
        XCTAssertEqual(m["precision_macro"]!, (0.5 + 2.0 / 3) / 3, accuracy: 1e-12)
        XCTAssertEqual(m["f1_macro"]!, (0.5 + 0.8) / 3, accuracy: 1e-12)
        XCTAssertEqual(m["f1_weighted"]!, (2 * 0.5 + 2 * 0.8) / 5, accuracy: 1e-12)
        XCTAssertEqual(m["f1_micro"]!, 0.6, accuracy: 1e-12)
    }

    func testRanksAverageTies() {
        XCTAssertEqual(RegressionMetrics.ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
    }

    /// Random logits and labels (with a class that never occurs, and batches of uneven size)
    /// against scikit-learn; random regression pairs with ties against scikit-learn and scipy.
    func testAgainstScikitLearnAndScipy() throws {
        let random = CounterRandom(seed: 2024)
        var index: UInt64 = 0
        func uniform() -> Float { index += 1; return random.uniform(stream: 0, index: index) }

        let k = 5, rows = 997
        var labels: [Int32] = [], outputs: [Float] = []
        for _ in 0..<rows {
            let label = Int32(uniform() < 0.5 ? 0 : Int(uniform() * 3) + 1)  // class 4 never true
            labels.append(label)
            for j in 0..<k { outputs.append(uniform() + (j == Int(label) ? 0.4 : 0) - (j == 4 ? 0.9 : 0)) }
        }
        var classification = ClassificationMetrics(classCount: k)
        for start in stride(from: 0, to: rows, by: 64) {
            let end = min(rows, start + 64)
            try outputs[(start * k)..<(end * k)].withUnsafeBufferPointer {
                try classification.add(outputs: $0, labels: .classes(Array(labels[start..<end])))
            }
        }
        let classificationRequest: [String: Any] = [
            "task": "classification", "classes": k, "labels": labels.map(Int.init),
            "outputs": (0..<rows).map { Array(outputs[($0 * k)..<($0 * k + k)]).map(Double.init) },
        ]
        var regression = RegressionMetrics()
        var predictions: [Float] = [], targets: [Float] = []
        for _ in 0..<rows {
            let target = Float(Int(uniform() * 11)) / 2  // 0, 0.5, … 5 with ties, like STS scores
            targets.append(target)
            predictions.append(target * 0.6 + uniform() * 2)
        }
        for start in stride(from: 0, to: rows, by: 100) {
            let end = min(rows, start + 100)
            try predictions[start..<end].withUnsafeBufferPointer {
                try regression.add(outputs: $0, labels: .values(Array(targets[start..<end])))
            }
        }
        let references = try reference([classificationRequest, [
            "task": "regression", "labels": targets.map(Double.init), "outputs": predictions.map(Double.init),
        ]])
        let expected = references[0], expectedRegression = references[1]
        let got = classification.compute()
        for key in ["accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_micro", "recall_micro", "f1_micro",
                    "precision_weighted", "recall_weighted", "f1_weighted"] {
            XCTAssertEqual(try XCTUnwrap(got[key]), try XCTUnwrap(expected[key] as? NSNumber, key).doubleValue, accuracy: 1e-12, key)
        }
        XCTAssertEqual(classification.confusion, try XCTUnwrap(expected["confusion_matrix"] as? [[Int]]).flatMap { $0 })

        let gotRegression = regression.compute()
        for key in ["mse", "mae", "pearson", "spearman"] {
            XCTAssertEqual(try XCTUnwrap(gotRegression[key]), try XCTUnwrap(expectedRegression[key] as? NSNumber, key).doubleValue, accuracy: 1e-9, key)
        }
    }

    /// Runs tools/oracles/training-metrics-reference.py on the requests, written to a temporary JSON file.
    func reference(_ requests: [[String: Any]]) throws -> [[String: Any]] {
        let requestFile = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: requests).write(to: requestFile)
        defer { try? FileManager.default.removeItem(at: requestFile) }
        let results = try PythonPeer.json([PythonPeer.tool("oracles/training-metrics-reference.py"), requestFile.path]) as? [[String: Any]] ?? []
        XCTAssertEqual(results.count, requests.count)
        return results.count == requests.count ? results : requests.map { _ in [:] }
    }

    /// Evaluation over several batches equals the metrics of all rows at once.
    func testEvaluationAccumulatesAcrossBatches() throws {
        let model = BagModel(configuration: .init(vocabSize: 10, bigramBuckets: 5, dimension: 4),
                             loss: try TaskLoss(task: .classification(labels: 3)), seed: 1)
        for i in 0..<model.parameters.count { model.parameters.values[i] = Float((i * 7) % 11) * 0.1 - 0.5 }
        let ids: [Int32] = (0..<24).map { Int32(($0 * 5 + 3) % 10) }, labels: [Int32] = [0, 1, 2, 1, 0, 2]
        let whole = try Batch(size: 6, length: 4, inputIds: ids, labels: .classes(labels))
        let parts = try [0..<2, 2..<6].map { rows in
            try Batch(size: rows.count, length: 4, inputIds: Array(ids[(rows.lowerBound * 4)..<(rows.upperBound * 4)]),
                      labels: .classes(Array(labels[rows])))
        }
        let all = try Evaluation.run(model: model, batches: [whole])
        let split = try Evaluation.run(model: model, batches: parts)
        XCTAssertEqual(Set(all.keys), Set(split.keys))
        for (key, value) in all { XCTAssertEqual(try XCTUnwrap(split[key]), value, accuracy: 1e-6, key) }
        // accuracy by hand from the outputs
        _ = try model.forward(whole, training: false)
        let correct = (0..<6).filter { row in
            let logits = Array(model.outputs[(row * 3)..<(row * 3 + 3)])
            return logits.firstIndex(of: logits.max()!) == Int(labels[row])
        }.count
        XCTAssertEqual(try XCTUnwrap(all["accuracy"]), Double(correct) / 6, accuracy: 1e-12)
    }
}
