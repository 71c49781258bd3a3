import DSPrepSupport

/// fastText-like baseline: the mean of embeddings of a row's token ids and hashed id bigrams,
/// then one linear layer. Fast enough to train on a corpus in seconds; a strong bar for the
/// Transformer to clear.
public final class BagModel: Model {
    public struct Configuration: Sendable, Equatable, Codable {
        public var vocabSize: Int
        /// Hash buckets for id bigrams (fastText's `bucket`); 0 disables bigrams.
        public var bigramBuckets: Int
        public var dimension: Int

        public init(vocabSize: Int, bigramBuckets: Int = 200_000, dimension: Int = 100) {
            self.vocabSize = vocabSize
            self.bigramBuckets = bigramBuckets
            self.dimension = dimension
        }
    }

    public let configuration: Configuration
    public let task: ProblemType
    public let loss: TaskLoss
    public let parameters: ParameterStore
    private let table = 0, classifierWeight = 1, classifierBias = 2

    // Activations of the last forward (B rows).
    private var batch: Batch?
    private var featureRows: [[Int32]] = []
    private let arena = Arena()
    private var pooled, logits, probs, dlogits, dpooled: UnsafeMutablePointer<Float>?

    public init(configuration: Configuration, loss: TaskLoss, seed: UInt64) {
        self.configuration = configuration
        self.task = loss.task
        self.loss = loss
        let d = configuration.dimension, k = loss.task.outputCount
        // fastText: input vectors uniform-ish and small, output layer zero.
        parameters = ParameterStore(specs: [
            .weight("embedding.weight", [configuration.vocabSize + configuration.bigramBuckets, d], std: 1 / Float(d)),
            ParameterSpec(name: "classifier.weight", shape: [k, d], weightDecay: true, initializer: .zeros),
            .bias("classifier.bias", k),
        ])
        parameters.initialize(seed: seed)
    }

    public var outputs: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: logits, count: (batch?.size ?? 0) * task.outputCount)
    }

    public func forward(_ batch: Batch, training: Bool) throws -> Float? {
        try batch.validate(vocabularySize: configuration.vocabSize, typeCount: nil)
        guard batch.sequencesPerRow == 1 else {
            throw InputError("the bag model reads one sequence per row, not pairs of separately encoded texts",
                             hint: "tokenize the pairs jointly (leave out --pair-encoding separate)")
        }
        if let labels = batch.labels { try loss.validate(labels) }
        let b = batch.size, t = batch.length, d = configuration.dimension, k = task.outputCount
        arena.reset(capacity: Arena.rounded(b * d) * 2 + Arena.rounded(b * k) * 3)
        let pooled = arena.take(b * d), dpooled = arena.take(b * d)
        let logits = arena.take(b * k), probs = arena.take(b * k), dlogits = arena.take(b * k)
        (self.pooled, self.dpooled, self.logits, self.probs, self.dlogits) = (pooled, dpooled, logits, probs, dlogits)
        self.batch = batch

        if featureRows.count < b { featureRows += Array(repeating: [], count: b - featureRows.count) }
        batch.inputIds.withUnsafeBufferPointer { ids in
            batch.attentionMask.withUnsafeBufferPointer { mask in
                for bi in 0..<b {
                    EmbeddingBag.features(ids: ids.baseAddress! + bi * t, mask: mask.baseAddress! + bi * t, t: t,
                                          vocabSize: configuration.vocabSize, buckets: configuration.bigramBuckets,
                                          into: &featureRows[bi])
                }
            }
        }
        EmbeddingBag.forward(out: pooled, table: parameters.value(table), featureRows: Array(featureRows.prefix(b)), d: d)
        Linear.forward(out: logits, inp: pooled, weight: parameters.value(classifierWeight),
                       bias: parameters.value(classifierBias), n: b, c: d, oc: k)
        guard let labels = batch.labels else { return nil }
        return loss.forward(logits: logits, probs: probs, labels: labels, b: b)
    }

    public func backward(lossScale: Float) {
        guard let batch, let labels = batch.labels, let pooled, let dpooled, let logits, let probs, let dlogits else {
            preconditionFailure("BagModel.backward needs a forward pass with labels first")
        }
        let b = batch.size, d = configuration.dimension, k = task.outputCount
        loss.backward(dlogits: dlogits, logits: logits, probs: probs, labels: labels, b: b, scale: lossScale)
        dpooled.update(repeating: 0, count: b * d)
        Linear.backward(dinp: dpooled, dweight: parameters.grad(classifierWeight), dbias: parameters.grad(classifierBias),
                        dout: dlogits, inp: pooled, weight: parameters.value(classifierWeight), n: b, c: d, oc: k)
        EmbeddingBag.backward(dtable: parameters.grad(table), dout: dpooled, featureRows: Array(featureRows.prefix(b)), d: d)
    }
}
