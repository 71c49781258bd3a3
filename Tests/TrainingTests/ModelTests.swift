import XCTest
@testable import Training

/// Whole-model gradients against finite differences, gradient accumulation, and training on
/// a tiny synthetic task: "does token 5 appear in the row?".
final class ModelTests: XCTestCase {
    static let vocab = 12, length = 8

    func tinyBert(task: ProblemType, dropout: Float, seed: UInt64 = 1, range: Float = 0.02, layers: Int = 2) throws -> BertModel {
        var config = BertConfiguration(vocabSize: Self.vocab, hiddenSize: 8, numHiddenLayers: layers, numAttentionHeads: 2,
                                       intermediateSize: 16, maxPositionEmbeddings: Self.length, typeVocabSize: 2,
                                       hiddenDropoutProb: dropout, attentionProbsDropoutProb: dropout)
        config.initializerRange = range
        return try BertModel(configuration: config, loss: TaskLoss(task: task), seed: seed)
    }

    /// Every parameter's gradient, dense, in layout order.
    static func gradients(_ store: ParameterStore) -> [Float] { store.specs.indices.flatMap(store.gradient) }

    /// A batch of random rows over ids 6..<vocab with trailing padding; label 1 when id 5 was
    /// planted (half of the rows), and token types marking a second segment.
    func syntheticBatch(size: Int, seed: UInt64, regression: Bool = false) throws -> Batch {
        let generator = CounterRandom(seed: seed)
        var counter: UInt64 = 0
        func next(_ bound: Int) -> Int { counter += 1; return Int(generator.bits(stream: 0, index: counter) % UInt64(bound)) }
        var ids: [Int32] = [], mask: [Int32] = [], types: [Int32] = [], labels: [Int32] = []
        for _ in 0..<size {
            let used = 4 + next(Self.length - 3)  // 4...length tokens, rest padding
            var row = (0..<Self.length).map { _ in Int32(6 + next(Self.vocab - 6)) }
            row[0] = 1  // a [CLS]-like start token
            let positive = next(2) == 1
            if positive { row[1 + next(used - 1)] = 5 }
            for position in 0..<Self.length {
                ids.append(position < used ? row[position] : 0)
                mask.append(position < used ? 1 : 0)
                types.append(position < used && position >= used / 2 ? 1 : 0)
            }
            labels.append(positive ? 1 : 0)
        }
        return try Batch(size: size, length: Self.length, inputIds: ids, attentionMask: mask, tokenTypeIds: types,
                         labels: regression ? .values(labels.map { Float($0) * 2 - 0.5 }) : .classes(labels))
    }

    func testBertGradientsMatchFiniteDifferences() throws {
        for (task, dropout) in [(ProblemType.classification(labels: 3), Float(0)), (.classification(labels: 2), 0.2), (.regression, 0.1)] {
            let model = try tinyBert(task: task, dropout: dropout, range: 0.3)
            var batch = try syntheticBatch(size: 3, seed: 7, regression: task == .regression)
            if case .classification(3) = task, case .classes(let y)? = batch.labels {
                batch = try Batch(size: 3, length: Self.length, inputIds: batch.inputIds, attentionMask: batch.attentionMask,
                                  tokenTypeIds: batch.tokenTypeIds, labels: .classes(y.enumerated().map { Int32($0.offset % 3) }))
            }
            checkGradients(Checked.all(model.parameters), samples: 6, epsilon: 1e-2, tolerance: 3e-2) {
                model.forwardCount = 0  // the same dropout masks on every evaluation
                return Double(try! model.forward(batch, training: true)!)
            } backward: {
                model.backward(lossScale: 1)
            }
        }
    }

    /// The last layer runs after attention on the first tokens only, and an encoder without
    /// layers pools its embeddings: both backward passes are exact, dropout included.
    func testShallowEncodersHaveExactGradients() throws {
        for layers in [0, 1] {
            let model = try tinyBert(task: .classification(labels: 2), dropout: 0.1, range: 0.3, layers: layers)
            let batch = try syntheticBatch(size: 3, seed: 11)
            checkGradients(Checked.all(model.parameters), samples: 6, epsilon: 1e-2, tolerance: 3e-2) {
                model.forwardCount = 0
                return Double(try! model.forward(batch, training: true)!)
            } backward: {
                model.backward(lossScale: 1)
            }
        }
    }

    /// The encoder computes only unpadded tokens (`PackedBatch`); padding must change nothing:
    /// each row of a padded batch gets the logits and (summed) gradients it gets alone, unpadded.
    func testPaddingChangesNothing() throws {
        let model = try tinyBert(task: .classification(labels: 2), dropout: 0, range: 0.3)
        let batch = try syntheticBatch(size: 4, seed: 13)
        guard case .classes(let labels)? = batch.labels else { return XCTFail("syntheticBatch gives class labels") }
        XCTAssertTrue(batch.attentionMask.contains(0), "the batch has padding")
        model.parameters.zeroGrads()
        _ = try model.forward(batch, training: true)
        model.backward(lossScale: 1)
        let paddedLogits = Array(model.outputs), paddedGrads = Self.gradients(model.parameters)
        model.parameters.zeroGrads()
        var aloneLogits: [Float] = []
        for row in 0..<4 {
            let cells = (row * Self.length)..<((row + 1) * Self.length)
            let used = batch.attentionMask[cells].filter { $0 != 0 }.count
            let alone = try Batch(size: 1, length: used, inputIds: Array(batch.inputIds[cells].prefix(used)),
                                  tokenTypeIds: Array(batch.tokenTypeIds![cells].prefix(used)), labels: .classes([labels[row]]))
            _ = try model.forward(alone, training: true)
            model.backward(lossScale: 0.25)  // the padded batch's loss is the mean over its 4 rows
            aloneLogits += model.outputs
        }
        for (padded, alone) in zip(paddedLogits, aloneLogits) { XCTAssertEqual(padded, alone, accuracy: 1e-5) }
        for (i, (padded, alone)) in zip(paddedGrads, Self.gradients(model.parameters)).enumerated() {
            XCTAssertEqual(padded, alone, accuracy: 1e-5, "gradient \(i)")
        }
    }

    func testBagGradientsMatchFiniteDifferences() throws {
        for task in [ProblemType.classification(labels: 2), .regression] {
            let model = BagModel(configuration: .init(vocabSize: Self.vocab, bigramBuckets: 7, dimension: 5),
                                 loss: try TaskLoss(task: task, classWeights: task == .regression ? nil : [1, 2]), seed: 3)
            // a non-zero classifier so every parameter has a gradient
            model.parameters.initialize(seed: 3)
            for i in 0..<model.parameters.specs[1].count { model.parameters.value(1)[i] = Float(i % 5) * 0.1 - 0.2 }
            let batch = try syntheticBatch(size: 4, seed: 9, regression: task == .regression)
            checkGradients(Checked.all(model.parameters), samples: 30, epsilon: 1e-2) {
                Double(try! model.forward(batch, training: true)!)
            } backward: {
                model.backward(lossScale: 1)
            }
        }
    }

    /// Two micro-batches of 4 give the gradient of one batch of 8 (same row count each, no dropout).
    func testGradientAccumulationMatchesOneBigBatch() throws {
        let whole = try syntheticBatch(size: 8, seed: 11)
        guard case .classes(let y)? = whole.labels else { return XCTFail("syntheticBatch gives class labels") }
        func half(_ range: Range<Int>) throws -> Batch {
            let cells = (range.lowerBound * Self.length)..<(range.upperBound * Self.length)
            return try Batch(size: range.count, length: Self.length, inputIds: Array(whole.inputIds[cells]),
                             attentionMask: Array(whole.attentionMask[cells]), tokenTypeIds: Array(whole.tokenTypeIds![cells]),
                             labels: .classes(Array(y[range])))
        }
        let step = TrainingStep(baseLearningRate: 0, schedule: Schedule(kind: .constant, totalSteps: 1), maxGradNorm: 0)
        let one = try tinyBert(task: .classification(labels: 2), dropout: 0)
        let two = try tinyBert(task: .classification(labels: 2), dropout: 0)
        let resultOne = try step.run(model: one, microBatches: [whole], optimizer: AdamW(parameters: one.parameters))
        let resultTwo = try step.run(model: two, microBatches: [try half(0..<4), try half(4..<8)], optimizer: AdamW(parameters: two.parameters))
        XCTAssertEqual(resultOne.loss, resultTwo.loss, accuracy: 1e-5)
        XCTAssertEqual(resultOne.gradNorm, resultTwo.gradNorm, accuracy: 1e-5)
        for (a, b) in zip(Self.gradients(one.parameters), Self.gradients(two.parameters)) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// The word embeddings' gradient is row-sparse (ids 0, 2, 3 and 4 never occur in the synthetic
    /// batches); that changes what AdamW reads, not what it computes: 4 steps of 2 micro-batches
    /// with clipping give bit for bit the parameters and moments of AdamW run on the same
    /// gradients laid out densely, untouched rows included (they still move, by weight decay and
    /// the zero-gradient step). Halfway, the sparse side resumes from its saved state, so the
    /// rows with moments are found again from the file (rows without them are only decayed).
    func testRowSparseGradientAdamWEqualsDense() throws {
        let model = try tinyBert(task: .classification(labels: 2), dropout: 0.1)
        let sparse = model.parameters, specs = sparse.specs
        let rowGradient = try XCTUnwrap(sparse.rowGradient, "the word embeddings keep a row-sparse gradient")
        let dense = ParameterStore(specs: specs)
        dense.values.pointer.update(from: sparse.values.pointer, count: sparse.count)
        let initialRow2 = Array(UnsafeBufferPointer(start: sparse.value(0) + 2 * 8, count: 8))
        var sparseAdamW = AdamW(parameters: sparse, configuration: .init(weightDecay: 0.01))
        let denseAdamW = AdamW(parameters: dense, configuration: .init(weightDecay: 0.01))
        let statePath = FileManager.default.temporaryDirectory.appendingPathComponent("row-sparse-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: statePath) }
        for step in 0..<4 {
            if step == 2 {
                try sparseAdamW.saveState(to: statePath)
                sparseAdamW = AdamW(parameters: sparse, configuration: .init(weightDecay: 0.01))
                try sparseAdamW.loadState(from: statePath)
            }
            sparse.zeroGrads()
            for micro in 0..<2 {
                // after the resume, batches of ids 1, 5 and 6 only: rows 7–11 have moments but no gradient
                let batch = step < 2 ? try syntheticBatch(size: 4, seed: UInt64(40 + 2 * step + micro))
                    : try Batch(size: 2, length: 4, inputIds: [1, 5, 6, 6, 1, 6, 6, 0], attentionMask: [1, 1, 1, 1, 1, 1, 1, 0],
                                labels: .classes([1, 0]))
                _ = try model.forward(batch, training: true)
                model.backward(lossScale: 0.5)
            }
            XCTAssertLessThan(rowGradient.slotCount, Self.vocab - 3, "rows without gradient")
            for index in specs.indices {
                let gradient = sparse.gradient(index)
                (dense.grads.pointer + (dense.offsets[index] - dense.denseGradientStart)).update(from: gradient, count: gradient.count)
            }
            let norm = GradientClipping.globalNorm(sparse)
            XCTAssertEqual(norm, GradientClipping.globalNorm(dense), accuracy: 1e-6 * norm)
            let scale = GradientClipping.scale(norm: norm, maxNorm: norm / 2)
            sparseAdamW.update(learningRate: 0.01, gradientScale: scale)
            denseAdamW.update(learningRate: 0.01, gradientScale: scale)
            XCTAssertEqual(sparse.values.toArray().map(\.bitPattern), dense.values.toArray().map(\.bitPattern), "step \(step) parameters")
            XCTAssertEqual(sparseAdamW.m.toArray().map(\.bitPattern), denseAdamW.m.toArray().map(\.bitPattern), "step \(step) m")
            XCTAssertEqual(sparseAdamW.v.toArray().map(\.bitPattern), denseAdamW.v.toArray().map(\.bitPattern), "step \(step) v")
        }
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: sparse.value(0) + 2 * 8, count: 8)), initialRow2, "an untouched row decays")
    }

    /// Evaluation encodes big batches in chunks of rows: the outputs and loss are those of one
    /// pass, and an evaluation batch bigger than the training batches does not grow the
    /// activation arena (it keeps one layer of one chunk at a time).
    func testEvaluationInChunksMatchesOnePass() throws {
        let model = try tinyBert(task: .classification(labels: 2), dropout: 0.1)
        let batch = try syntheticBatch(size: 40, seed: 21)
        let whole = try XCTUnwrap(try model.forward(batch, training: false))
        let wholeLogits = Array(model.outputs)
        model.evaluationChunkRows = 20  // 2 to 5 sequences of 4 to 8 tokens
        let chunked = try XCTUnwrap(try model.forward(batch, training: false))
        XCTAssertEqual(Array(model.outputs), wholeLogits)
        XCTAssertEqual(chunked, whole)

        _ = try model.forward(try syntheticBatch(size: 4, seed: 22), training: true)
        model.backward(lossScale: 1)
        let trainingCapacity = model.arena.capacity
        _ = try model.forward(batch, training: false)
        XCTAssertEqual(model.arena.capacity, trainingCapacity, "evaluating 40 rows fits the arena of training on 4")
        XCTAssertEqual(Array(model.outputs), wholeLogits)
    }

    /// Trains on fresh synthetic batches; returns (final loss, held-out accuracy, parameters).
    func train(_ model: Model, steps: Int, learningRate: Float) throws -> (Float, Double, [Float]) {
        let optimizer = AdamW(parameters: model.parameters, configuration: .init(weightDecay: 0.01))
        let step = TrainingStep(baseLearningRate: learningRate,
                                schedule: Schedule(kind: .linear, warmupSteps: steps / 10, totalSteps: steps), maxGradNorm: 1)
        var last: Float = 0
        for s in 0..<steps { last = try step.run(model: model, microBatches: [try syntheticBatch(size: 16, seed: UInt64(100 + s))], optimizer: optimizer).loss }
        let test = try syntheticBatch(size: 200, seed: 99)
        _ = try model.forward(test, training: false)
        guard case .classes(let y)? = test.labels else { return (last, 0, []) }
        var correct = 0
        for row in 0..<200 where (model.outputs[2 * row + 1] > model.outputs[2 * row] ? 1 : 0) == y[row] { correct += 1 }
        return (last, Double(correct) / 200, model.parameters.values.toArray())
    }

    func testBertLearnsTheSyntheticTaskDeterministically() throws {
        let first = try train(try tinyBert(task: .classification(labels: 2), dropout: 0.1, seed: 5), steps: 300, learningRate: 3e-3)
        XCTAssertGreaterThanOrEqual(first.1, 0.97, "held-out accuracy")
        XCTAssertLessThan(first.0, 0.2, "final training loss")
        let second = try train(try tinyBert(task: .classification(labels: 2), dropout: 0.1, seed: 5), steps: 300, learningRate: 3e-3)
        XCTAssertEqual(first.2, second.2, "same seed, same parameters bit for bit")
    }

    func testBagLearnsTheSyntheticTask() throws {
        let model = BagModel(configuration: .init(vocabSize: Self.vocab, bigramBuckets: 0, dimension: 16),
                             loss: try TaskLoss(task: .classification(labels: 2)), seed: 5)
        let (loss, accuracy, _) = try train(model, steps: 300, learningRate: 0.05)
        XCTAssertGreaterThanOrEqual(accuracy, 0.95)
        XCTAssertLessThan(loss, 0.3)
    }

    func testBadInputIsAnErrorNotACrash() throws {
        let model = try tinyBert(task: .classification(labels: 2), dropout: 0)
        let outOfVocabulary = try Batch(size: 1, length: 2, inputIds: [1, 99], labels: .classes([0]))
        XCTAssertThrowsError(try model.forward(outOfVocabulary, training: false)) {
            XCTAssertTrue("\($0)".contains("input_ids[sequence 0, position 1] = 99"), "\($0)")
        }
        let badLabel = try Batch(size: 1, length: 2, inputIds: [1, 2], labels: .classes([2]))
        XCTAssertThrowsError(try model.forward(badLabel, training: false))
        let tooLong = try Batch(size: 1, length: 9, inputIds: [Int32](repeating: 1, count: 9))
        XCTAssertThrowsError(try model.forward(tooLong, training: false))
        XCTAssertThrowsError(try Batch(size: 2, length: 2, inputIds: [1, 2, 3]))
    }
}
