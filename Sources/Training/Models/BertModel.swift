import DSPrepSupport

/// A BERT-family encoder (post-LayerNorm, as the original) with a classification head on the
/// first token: HF `BertForSequenceClassification` (pooler dense → tanh → dropout → classifier),
/// `RobertaForSequenceClassification` / XLM-R (RoBERTa positions; dropout → dense → tanh →
/// dropout → out_proj), `ElectraForSequenceClassification` (embeddings optionally projected
/// E→C; the same head with GELU) and `DistilBertForSequenceClassification` (no token types, no
/// dropout on the attention output; pre_classifier → ReLU → dropout → classifier), for
/// classification or regression, single sentences or pairs.
/// What differs is read from `configuration.modelType`; the encoder is one code path.
/// With `configuration.output` `.cosineSimilarity` it is instead a sentence-transformers
/// bi-encoder: each row is a pair of texts encoded separately, each text's token vectors are
/// mean-pooled into an embedding, and the output is the cosine of the two, times
/// `configuration.scoreScale` (regression; MSE between the cosine and score / scoreScale, or
/// CoSENT on the order of the scores, by `configuration.similarityLoss`).
///
/// Activations are packed (`PackedBatch`): N rows, one per token attention can see, with no
/// padding rows. Per layer, with x: (N,C):
///   qkv = x·Wqkvᵀ  (N,3C) → a = attention(qkv)  (N,C) → r1 = x + drop(a·Woᵀ)  → x1 = LN(r1)
///   h = x1·Wiᵀ  (N,F) → g = gelu(h) → r2 = x1 + drop(g·Wo2ᵀ) → x2 = LN(r2)
/// The classification head reads only each sequence's first token, so the last layer runs
/// everything after attention on those B rows alone (its keys and values still come from every
/// row): about a twelfth of the encoder's matrix products saved, with the same result.
public final class BertModel: Model {
    public let configuration: BertConfiguration
    public let task: ProblemType
    public let loss: TaskLoss
    public let parameters: ParameterStore
    /// Seeds dropout; each training forward uses fresh streams derived from it.
    public let seed: UInt64
    /// Training forwards so far (the dropout stream counter; save it to resume bit-exactly).
    public var forwardCount: UInt64 = 0
    /// The config.json this model was loaded from (a pretrained folder or checkpoint): saved
    /// checkpoints keep its keys.
    public var baseConfig: JSONValue = .object([])
    /// The HF model folder fine-tuning started from, if any.
    public var sourceFolder: String?

    struct LayerParameters {
        var qkvWeight, qkvBias, attnOutWeight, attnOutBias, ln1Weight, ln1Bias: Int
        var ffnInWeight, ffnInBias, ffnOutWeight, ffnOutBias, ln2Weight, ln2Bias: Int
    }
    struct HeadParameters {
        var head: BertConfiguration.ClassificationHead
        var denseWeight, denseBias, outWeight, outBias: Int
    }
    private let wte, wpe, embLNWeight, embLNBias: Int
    /// nil for a model type without token types
    private let wtt: Int?
    /// ELECTRA's embeddings_project (C,E) and (C), when E ≠ C
    private let projection: (weight: Int, bias: Int)?
    private let layerParameters: [LayerParameters]
    /// nil for a bi-encoder
    private let classificationHead: HeadParameters?
    /// A bi-encoder mean-pools every token of the last layer; the classification head reads the first.
    private var meanPooled: Bool { classificationHead == nil }

    /// `initializeParameters: false` leaves the parameters zero, for a caller that fills them
    /// all from a file (initializing 117 M floats first would cost a second and touch every page).
    public init(configuration: BertConfiguration, loss: TaskLoss, seed: UInt64, initializeParameters: Bool = true) throws {
        try check(configuration.hiddenSize % configuration.numAttentionHeads == 0,
                  "hidden_size \(configuration.hiddenSize) is not a multiple of num_attention_heads \(configuration.numAttentionHeads)")
        try check([configuration.vocabSize, configuration.hiddenSize, configuration.numAttentionHeads, configuration.intermediateSize,
                   configuration.maxPositionEmbeddings, configuration.embeddingWidth].allSatisfy { $0 > 0 }
                  && configuration.numHiddenLayers >= 0 && (configuration.typeVocabSize > 0 || !configuration.modelType.hasTokenTypes),
                  "vocab_size, hidden_size, num_attention_heads, intermediate_size, max_position_embeddings, type_vocab_size and embedding_size must be positive")
        try check(configuration.padTokenId >= 0 && configuration.padTokenId < configuration.vocabSize,
                  "pad_token_id \(configuration.padTokenId) is outside the vocabulary (vocab_size \(configuration.vocabSize))")
        try check([configuration.hiddenDropoutProb, configuration.attentionProbsDropoutProb, configuration.headDropoutProb]
                    .allSatisfy { $0 >= 0 && $0 < 1 },
                  "dropout probabilities must be in [0, 1)")
        try check(configuration.scoreScale > 0 && configuration.scoreScale.isFinite, "the score scale must be a positive number")
        self.configuration = configuration
        self.task = loss.task
        self.loss = loss
        self.seed = seed
        random = CounterRandom(seed: seed)
        // The word embeddings lead the layout: frozen, or with a row-sparse gradient (a batch touches few of their rows).
        let store = ParameterStore(specs: configuration.parameterSpecs(outputs: loss.task.outputCount),
                                   leading: configuration.freezeWordEmbeddings ? .frozen : .rowSparse)
        if initializeParameters { store.initialize(seed: seed) }
        parameters = store
        func index(_ name: String) -> Int { store.index(of: name)! }  // names come from parameterSpecs
        let base = configuration.modelType.prefix
        wte = index(base + "embeddings.word_embeddings.weight")
        wpe = index(base + "embeddings.position_embeddings.weight")
        wtt = configuration.modelType.hasTokenTypes ? index(base + "embeddings.token_type_embeddings.weight") : nil
        embLNWeight = index(base + "embeddings.LayerNorm.weight")
        embLNBias = index(base + "embeddings.LayerNorm.bias")
        projection = configuration.projectsEmbeddings
            ? (index(base + "embeddings_project.weight"), index(base + "embeddings_project.bias")) : nil
        layerParameters = (0..<configuration.numHiddenLayers).map { l in
            let names = configuration.modelType.layerNames(l)
            // query, key and value are adjacent (parameterSpecs): the query's index starts the fused projection
            return LayerParameters(
                qkvWeight: index(names.query + ".weight"), qkvBias: index(names.query + ".bias"),
                attnOutWeight: index(names.attentionOutput + ".weight"), attnOutBias: index(names.attentionOutput + ".bias"),
                ln1Weight: index(names.attentionNorm + ".weight"), ln1Bias: index(names.attentionNorm + ".bias"),
                ffnInWeight: index(names.intermediate + ".weight"), ffnInBias: index(names.intermediate + ".bias"),
                ffnOutWeight: index(names.output + ".weight"), ffnOutBias: index(names.output + ".bias"),
                ln2Weight: index(names.outputNorm + ".weight"), ln2Bias: index(names.outputNorm + ".bias"))
        }
        switch configuration.output {
        case .sequenceClassification:
            let head = configuration.modelType.head
            classificationHead = HeadParameters(head: head, denseWeight: index(head.dense + ".weight"), denseBias: index(head.dense + ".bias"),
                                                outWeight: index(head.output + ".weight"), outBias: index(head.output + ".bias"))
        case .cosineSimilarity:
            try check(loss.task == .regression, "a bi-encoder (cosine similarity) predicts one score per pair: it needs regression labels")
            classificationHead = nil
        }
    }

    // MARK: - Activations

    typealias Pointer = UnsafeMutablePointer<Float>

    /// Saved tensors of one layer. Dropout masks are not kept: the backward draws them again.
    struct LayerActivations {
        var qkv, att: Pointer            // (N,3C), (S) with S = Σ_b NH·L_b²
        var a: Pointer                   // (N,C) attention output, before the projection
        var r1: Pointer                  // (N,C) residual sum into LN1
        var ln1Mean, ln1Rstd: Pointer    // (N)
        var x1: Pointer                  // (N,C)
        var h: Pointer                   // (N,F) before GELU
        var g: Pointer                   // (N,F) after GELU; in training one buffer for every layer (the backward recomputes it)
        var r2: Pointer                  // (N,C)
        var ln2Mean, ln2Rstd: Pointer    // (N)
        var x2: Pointer                  // (N,C) layer output; with the classification head the last layer writes its B first-token rows to `cls`
    }

    struct Activations {
        /// rows (examples), packed rows (tokens); a bi-encoder's batch has 2B sequences
        var b = 0, n = 0
        /// The dropout streams of a training forward are `streamBase + site`; nil without dropout (evaluation).
        var streamBase: UInt64?
        var keyBias, emb, embMean, embRstd, xe: Pointer   // (N), (N,E), (N), (N), (N,E) LN(emb) after dropout
        var x0: Pointer                                   // (N,C) encoder input: xe, or its projection
        var layers: [LayerActivations]
        var firstA, firstX: Pointer                       // (B,C) the last layer's attention output and input at the first tokens
        var cls: Pointer                                  // (S,C) each sequence's first token, or its mean-pooled embedding
        var norms: Pointer                                // (S) a bi-encoder's embedding norms
        var cosines: Pointer                              // (B) a bi-encoder's cosines, before scoreScale
        var pairWeights: Pointer                          // (B,B) CoSENT's shares of the ordered row pairs
        var headIn: Pointer                               // (B,C) cls after dropout when the head has one first
        var headPre, headAct: Pointer                     // (B,C) dense output, after tanh/GELU
        var headOut: Pointer                              // (B,C) headAct after dropout
        var logits, probs: Pointer                        // (B,K)
        /// nil after an evaluation forward, which needs no backward buffers
        var scratch: BackwardScratch?
    }

    struct BackwardScratch {
        var dlogits: Pointer                              // (B,K)
        var dxA, dxB, s1, s2: Pointer                     // (N,C)
        var f1, f2: Pointer                               // (N,F): dg → dh; the layers' g
        var dqkv: Pointer                                 // (N,3C)
        var datt: Pointer                                 // (S); the forward's dropped attention probabilities
        var dpool1, dpool2: Pointer                       // (S,C)
        var de1, de2: Pointer?                            // (N,E) with embeddings_project
    }

    /// Evaluation and prediction encode a batch's sequences in chunks of at most this many packed
    /// rows (tokens) and keep one layer's activations at a time, so a big eval batch (128 × 128)
    /// needs less memory than a training batch. Chunks change which rows share a matrix product,
    /// so outputs can differ from one unchunked pass in the last bits (as batch composition does).
    public var evaluationChunkRows = 4096

    /// The activations of the last forward (and the backward's scratch).
    let arena = Arena()
    private let random: CounterRandom
    private var activations: Activations?
    private var batch: Batch?
    private lazy var packed = PackedBatch(heads: configuration.numAttentionHeads, positions: configuration.modelType.positions,
                                          padTokenId: Int32(configuration.padTokenId))

    /// Lays the arena out for B rows of `sequences` sequences, encoded N packed rows with S
    /// attention scores at a time. Training keeps every layer's activations and the backward's
    /// scratch; evaluation keeps one layer's, reused layer after layer (its output overwrites its
    /// input). Two passes: the first only counts.
    private func layout(b: Int, sequences: Int, n: Int, s: Int, training: Bool) -> Activations {
        let cfg = configuration
        let c = cfg.hiddenSize, e = cfg.embeddingWidth, f = cfg.intermediateSize, k = task.outputCount
        let projected = projection != nil
        var total = 0
        var counting = true
        func take(_ count: Int) -> Pointer {
            if counting { total += Arena.rounded(count); return Pointer(bitPattern: 64)! }
            return arena.take(count)
        }
        func build() -> Activations {
            let scratch = !training ? nil : BackwardScratch(
                dlogits: take(b * k), dxA: take(n * c), dxB: take(n * c), s1: take(n * c), s2: take(n * c),
                f1: take(n * f), f2: take(n * f), dqkv: take(n * 3 * c), datt: take(s),
                dpool1: take(sequences * c), dpool2: take(sequences * c),
                de1: projected ? take(n * e) : nil, de2: projected ? take(n * e) : nil)
            let xe = take(n * e), x0 = projected ? take(n * c) : xe
            func layer() -> LayerActivations {
                LayerActivations(
                    qkv: take(n * 3 * c), att: take(s), a: take(n * c), r1: take(n * c), ln1Mean: take(n), ln1Rstd: take(n),
                    x1: take(n * c), h: take(n * f), g: scratch?.f2 ?? take(n * f), r2: take(n * c),
                    ln2Mean: take(n), ln2Rstd: take(n), x2: training ? take(n * c) : x0)
            }
            let layers = training ? (0..<cfg.numHiddenLayers).map { _ in layer() }
                                  : Array(repeating: layer(), count: cfg.numHiddenLayers)
            return Activations(
                b: b, n: n,
                keyBias: take(n), emb: take(n * e), embMean: take(n), embRstd: take(n), xe: xe, x0: x0, layers: layers,
                firstA: take(b * c), firstX: take(b * c),
                cls: take(sequences * c), norms: take(sequences), cosines: take(b), pairWeights: take(b * b),
                headIn: take(b * c), headPre: take(b * c), headAct: take(b * c), headOut: take(b * c),
                logits: take(b * k), probs: take(b * k), scratch: scratch)
        }
        _ = build()
        counting = false
        arena.reset(capacity: total)
        return build()
    }

    public var outputs: UnsafeBufferPointer<Float> {
        guard let activations else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: activations.logits, count: activations.b * task.outputCount)
    }

    // MARK: - Forward

    /// Sequences encoded together: all of them in training, chunks of at most
    /// `evaluationChunkRows` rows otherwise.
    private func chunks(training: Bool) -> [(sequences: Range<Int>, spans: SequenceSpans)] {
        let spans = packed.spans
        if training { return [(0..<spans.count, spans)] }
        var chunks: [(Range<Int>, SequenceSpans)] = [], first = 0
        while first < spans.count {
            var end = first + 1
            while end < spans.count && spans.rowStarts[end + 1] - spans.rowStarts[first] <= evaluationChunkRows { end += 1 }
            chunks.append((first..<end, SequenceSpans(lengths: (first..<end).map(spans.length), heads: spans.heads)))
            first = end
        }
        return chunks
    }

    public func forward(_ batch: Batch, training: Bool) throws -> Float? {
        let cfg = configuration
        // A model without token types ignores them, as the HF Trainer drops a column its model's forward does not take.
        try batch.validate(vocabularySize: cfg.vocabSize, typeCount: cfg.modelType.hasTokenTypes ? cfg.typeVocabSize : nil)
        if let labels = batch.labels { try loss.validate(labels) }
        guard batch.sequencesPerRow == (meanPooled ? 2 : 1) else {
            throw InputError(meanPooled ? "a bi-encoder needs pairs of separately encoded texts (pair_input_ids)"
                                        : "this model reads one sequence per row, but the batch holds pairs of separately encoded texts",
                             hint: meanPooled ? "tokenize the pairs with --pair-encoding separate" : "train a bi-encoder on them, or tokenize the pairs jointly")
        }
        packed.pack(batch)
        try check(Int(packed.maxPosition) < cfg.maxPositionEmbeddings,
                  "batch length \(batch.length) needs position id \(packed.maxPosition), beyond max_position_embeddings \(cfg.maxPositionEmbeddings)")
        let b = batch.size, c = cfg.hiddenSize, k = task.outputCount
        let chunks = chunks(training: training)
        var acts = layout(b: b, sequences: batch.sequenceCount, n: chunks.map(\.spans.rowCount).max()!,
                          s: chunks.map(\.spans.scoreCount).max()!, training: training)
        // Every dropout site of a training forward gets its own stream: (forward number, site).
        if training {
            acts.streamBase = forwardCount &* 1024
            forwardCount += 1
        }
        self.activations = acts
        self.batch = batch
        let p = parameters
        for chunk in chunks {
            encode(acts, spans: chunk.spans, firstRow: packed.spans.rowStarts[chunk.sequences.lowerBound],
                   cls: acts.cls + chunk.sequences.lowerBound * c)
        }

        guard let classificationHead else {
            // the cosine of each row's two embeddings: sequences i and B + i
            CosineSimilarity.forward(out: acts.cosines, norms: acts.norms, a: acts.cls, b: acts.cls + b * c, n: b, c: c)
            for i in 0..<b { acts.logits[i] = cfg.scoreScale * acts.cosines[i] }
            guard let labels = batch.labels else { return nil }
            switch (cfg.similarityLoss, labels) {
            case (.cosent, .values(let scores)):
                return scores.withUnsafeBufferPointer {
                    CoSENT.forward(weights: acts.pairWeights, cosines: acts.cosines, labels: $0.baseAddress!, b: b)
                }
            default:
                return loss.forward(logits: acts.cosines, probs: acts.probs, labels: cosineTargets(labels), b: b)
            }
        }
        let head = classificationHead.head
        // Head on the first token: [dropout →] dense → tanh/GELU/ReLU → dropout → output
        acts.headIn.update(from: acts.cls, count: b * c)
        if head.dropoutBeforeDense { dropout(acts.headIn, b * c, site: 1022, probability: cfg.headDropoutProb, acts) }
        Linear.forward(out: acts.headPre, inp: acts.headIn, weight: p.value(classificationHead.denseWeight),
                       bias: p.value(classificationHead.denseBias), n: b, c: c, oc: c)
        switch head.activation {
        case .tanh: Tanh.forward(out: acts.headAct, inp: acts.headPre, count: b * c)
        case .gelu: GELU.forward(out: acts.headAct, inp: acts.headPre, count: b * c, form: .exact)
        case .relu: ReLU.forward(out: acts.headAct, inp: acts.headPre, count: b * c)
        }
        acts.headOut.update(from: acts.headAct, count: b * c)
        dropout(acts.headOut, b * c, site: 1023, probability: cfg.headDropoutProb, acts)
        Linear.forward(out: acts.logits, inp: acts.headOut, weight: p.value(classificationHead.outWeight),
                       bias: p.value(classificationHead.outBias), n: b, c: c, oc: k)
        guard let labels = batch.labels else { return nil }
        return loss.forward(logits: acts.logits, probs: acts.probs, labels: labels, b: b)
    }

    /// Embeddings and encoder layers over the sequences `spans` (packed rows firstRow... of the
    /// batch); writes the last layer's output at each sequence's first token, or its mean over
    /// the tokens for a bi-encoder, to cls: (sequences, C).
    private func encode(_ acts: Activations, spans: SequenceSpans, firstRow: Int, cls: Pointer) {
        let cfg = configuration
        let n = spans.rowCount, c = cfg.hiddenSize, e = cfg.embeddingWidth
        let p = parameters
        packed.keyBias.withUnsafeBufferPointer { acts.keyBias.update(from: $0.baseAddress! + firstRow, count: n) }
        withPackedTokens(from: firstRow) { ids, positions, types in
            Embeddings.forward(out: acts.emb, ids: ids, positions: positions, types: types, wte: p.value(wte),
                               wpe: p.value(wpe), wtt: wtt.map(p.value), n: n, c: e)
        }
        LayerNorm.forward(out: acts.xe, mean: acts.embMean, rstd: acts.embRstd, inp: acts.emb, weight: p.value(embLNWeight),
                          bias: p.value(embLNBias), n: n, c: e, epsilon: cfg.layerNormEps)
        dropout(acts.xe, n * e, site: 0, acts)
        if let projection {
            Linear.forward(out: acts.x0, inp: acts.xe, weight: p.value(projection.weight), bias: p.value(projection.bias), n: n, c: e, oc: c)
        }

        var x = acts.x0
        for (l, (lp, la)) in zip(layerParameters, acts.layers).enumerated() {
            let site = UInt64(1 + 4 * l)
            Linear.forward(out: la.qkv, inp: x, weight: p.value(lp.qkvWeight), bias: p.value(lp.qkvBias), n: n, c: c, oc: 3 * c)
            Attention.forward(out: la.a, att: la.att, qkv: la.qkv, keyBias: acts.keyBias, spans: spans,
                              dropout: attentionDropout(site: site, acts), dropped: acts.scratch?.datt, c: c)
            if l < layerParameters.count - 1 || meanPooled {
                forwardAfterAttention(lp, la, site: site, rows: n, attentionOutput: la.a, residual: x, out: la.x2, acts)
                x = la.x2
            } else {
                Pooling.clsForward(out: acts.firstA, inp: la.a, spans: spans, c: c)
                Pooling.clsForward(out: acts.firstX, inp: x, spans: spans, c: c)
                forwardAfterAttention(lp, la, site: site, rows: spans.count, attentionOutput: acts.firstA, residual: acts.firstX,
                                      out: cls, acts)
                return
            }
        }
        if meanPooled {
            Pooling.spanMeanForward(out: cls, inp: x, keyBias: acts.keyBias, spans: spans, c: c)
        } else {
            Pooling.clsForward(out: cls, inp: x, spans: spans, c: c)  // no encoder layers
        }
    }

    /// The rest of layer `lp` after attention, on `rows` rows of its buffers `la`:
    /// out = LN2(x1 + drop(gelu(x1·Wiᵀ)·Wo2ᵀ)), x1 = LN1(residual + drop(attentionOutput·Woᵀ)).
    private func forwardAfterAttention(_ lp: LayerParameters, _ la: LayerActivations, site: UInt64, rows: Int,
                                       attentionOutput: Pointer, residual: Pointer, out: Pointer, _ acts: Activations) {
        let cfg = configuration, c = cfg.hiddenSize, f = cfg.intermediateSize, p = parameters
        Linear.forward(out: la.r1, inp: attentionOutput, weight: p.value(lp.attnOutWeight), bias: p.value(lp.attnOutBias),
                       n: rows, c: c, oc: c)
        dropout(la.r1, rows * c, site: site + 1, probability: cfg.attentionOutputDropoutProb, acts)
        Elementwise.add(la.r1, la.r1, residual, count: rows * c)
        LayerNorm.forward(out: la.x1, mean: la.ln1Mean, rstd: la.ln1Rstd, inp: la.r1, weight: p.value(lp.ln1Weight),
                          bias: p.value(lp.ln1Bias), n: rows, c: c, epsilon: cfg.layerNormEps)
        Linear.forward(out: la.h, inp: la.x1, weight: p.value(lp.ffnInWeight), bias: p.value(lp.ffnInBias), n: rows, c: c, oc: f)
        GELU.forward(out: la.g, inp: la.h, count: rows * f, form: cfg.hiddenAct)
        Linear.forward(out: la.r2, inp: la.g, weight: p.value(lp.ffnOutWeight), bias: p.value(lp.ffnOutBias), n: rows, c: f, oc: c)
        dropout(la.r2, rows * c, site: site + 2, acts)
        Elementwise.add(la.r2, la.r2, la.x1, count: rows * c)
        LayerNorm.forward(out: out, mean: la.ln2Mean, rstd: la.ln2Rstd, inp: la.r2, weight: p.value(lp.ln2Weight),
                          bias: p.value(lp.ln2Bias), n: rows, c: c, epsilon: cfg.layerNormEps)
    }

    /// Dropout of one site of `acts`' forward, in place: the forward applies it to activations,
    /// the backward the same mask to their gradient. Hidden dropout unless `probability` says
    /// otherwise; nothing when the forward had none.
    private func dropout(_ x: Pointer, _ count: Int, site: UInt64, probability: Float? = nil, _ acts: Activations) {
        let probability = probability ?? configuration.hiddenDropoutProb
        guard let streamBase = acts.streamBase, probability > 0 else { return }
        Dropout.apply(out: x, inp: x, count: count, probability: probability, random: random, stream: streamBase &+ site)
    }

    /// The attention-probability dropout of the layer with dropout site `site`, nil when `acts`' forward had none.
    private func attentionDropout(site: UInt64, _ acts: Activations) -> Attention.ProbabilityDropout? {
        guard let streamBase = acts.streamBase, configuration.attentionProbsDropoutProb > 0 else { return nil }
        return Attention.ProbabilityDropout(probability: configuration.attentionProbsDropoutProb, random: random, stream: streamBase &+ site)
    }

    // MARK: - Backward

    public func backward(lossScale: Float) {
        guard let batch, let labels = batch.labels, let acts = activations, let scratch = acts.scratch else {
            preconditionFailure("BertModel.backward needs a training forward pass with labels first")
        }
        let cfg = configuration
        let b = acts.b, n = acts.n, spans = packed.spans
        let c = cfg.hiddenSize, e = cfg.embeddingWidth
        let p = parameters

        let dpool = scratch.dpool1
        if let classificationHead {
            loss.backward(dlogits: scratch.dlogits, logits: acts.logits, probs: acts.probs, labels: labels, b: b, scale: lossScale)
            backwardHead(classificationHead, dpool: dpool, acts)
        } else {
            switch cfg.similarityLoss {
            case .cosent: CoSENT.backward(dcosines: scratch.dlogits, weights: acts.pairWeights, b: b, scale: lossScale)
            case .cosine:
                loss.backward(dlogits: scratch.dlogits, logits: acts.cosines, probs: acts.probs, labels: cosineTargets(labels), b: b,
                              scale: lossScale)
            }
            zero(dpool, 2 * b * c)
            CosineSimilarity.backward(da: dpool, db: dpool + b * c, dout: scratch.dlogits, out: acts.cosines, norms: acts.norms,
                                      a: acts.cls, b: acts.cls + b * c, n: b, c: c)
        }
        // dx: the gradient of the current layer's output (N,C); dxIn: of its input, being accumulated
        var dx = scratch.dxA, dxIn = scratch.dxB
        if meanPooled {
            zero(dx, n * c)
            Pooling.spanMeanBackward(dinp: dx, dout: dpool, keyBias: acts.keyBias, spans: spans, c: c)
        } else if cfg.numHiddenLayers == 0 {
            zero(dx, n * c)
            Pooling.clsBackward(dinp: dx, dout: dpool, spans: spans, c: c)
        }
        for l in stride(from: cfg.numHiddenLayers - 1, through: 0, by: -1) {
            let lp = layerParameters[l], la = acts.layers[l], site = UInt64(1 + 4 * l)
            let x = l == 0 ? acts.x0 : acts.layers[l - 1].x2
            let da: Pointer                                   // (N,C) gradient of the attention output
            if l < cfg.numHiddenLayers - 1 || meanPooled {
                backwardAfterAttention(lp, la, site: site, rows: n, dout: dx, attentionOutput: la.a, dresidual: dxIn,
                                       dattention: scratch.s2, acts)
                da = scratch.s2
            } else {
                // the last layer ran after attention on the first tokens only: place their gradients at those rows
                backwardAfterAttention(lp, la, site: site, rows: b, dout: dpool, attentionOutput: acts.firstA, dresidual: dx,
                                       dattention: scratch.s2, acts)
                zero(dxIn, n * c)
                Pooling.clsBackward(dinp: dxIn, dout: dx, spans: spans, c: c)
                zero(dx, n * c)
                Pooling.clsBackward(dinp: dx, dout: scratch.s2, spans: spans, c: c)
                da = dx
            }
            zero(scratch.dqkv, n * 3 * c)
            Attention.backward(dqkv: scratch.dqkv, datt: scratch.datt, dout: da, att: la.att, qkv: la.qkv,
                               dropout: attentionDropout(site: site, acts), spans: spans, c: c)
            Linear.backward(dinp: dxIn, dweight: p.grad(lp.qkvWeight), dbias: p.grad(lp.qkvBias), dout: scratch.dqkv, inp: x,
                            weight: p.value(lp.qkvWeight), n: n, c: c, oc: 3 * c)
            swap(&dx, &dxIn)
        }

        // x0 = [project](xe), xe = drop(LN(embeddings))
        var dxe = dx, demb = scratch.s1
        if let projection, let de1 = scratch.de1, let de2 = scratch.de2 {
            zero(de1, n * e)
            Linear.backward(dinp: de1, dweight: p.grad(projection.weight), dbias: p.grad(projection.bias), dout: dx, inp: acts.xe,
                            weight: p.value(projection.weight), n: n, c: e, oc: c)
            (dxe, demb) = (de1, de2)
        }
        dropout(dxe, n * e, site: 0, acts)
        zero(demb, n * e)
        LayerNorm.backward(dinp: demb, dweight: p.grad(embLNWeight), dbias: p.grad(embLNBias), dout: dxe, inp: acts.emb,
                           weight: p.value(embLNWeight), mean: acts.embMean, rstd: acts.embRstd, n: n, c: e)
        withPackedTokens(from: 0) { ids, positions, types in
            Embeddings.backward(dwte: p.rowGradient, dwpe: p.grad(wpe), dwtt: wtt.map(p.grad), dout: demb, ids: ids,
                                positions: positions, types: types, n: n, c: e)
        }
    }

    /// The classification head's backward, from the loss gradient in dlogits to dpool: (B,C),
    /// the gradient of the first tokens' vectors.
    private func backwardHead(_ parameters: HeadParameters, dpool: Pointer, _ acts: Activations) {
        guard let scratch = acts.scratch else { preconditionFailure("backward needs a training forward") }
        let cfg = configuration, b = acts.b, c = cfg.hiddenSize, k = task.outputCount, p = self.parameters
        let dpre = scratch.dpool2
        // logits ← out(dropout(act(dense(dropout?(cls)))))
        zero(dpool, b * c)
        Linear.backward(dinp: dpool, dweight: p.grad(parameters.outWeight), dbias: p.grad(parameters.outBias), dout: scratch.dlogits,
                        inp: acts.headOut, weight: p.value(parameters.outWeight), n: b, c: c, oc: k)
        dropout(dpool, b * c, site: 1023, probability: cfg.headDropoutProb, acts)
        zero(dpre, b * c)
        switch parameters.head.activation {
        case .tanh: Tanh.backward(dinp: dpre, dout: dpool, out: acts.headAct, count: b * c)
        case .gelu: GELU.backward(dinp: dpre, dout: dpool, inp: acts.headPre, count: b * c, form: .exact)
        case .relu: ReLU.backward(dinp: dpre, dout: dpool, out: acts.headAct, count: b * c)
        }
        zero(dpool, b * c)
        Linear.backward(dinp: dpool, dweight: p.grad(parameters.denseWeight), dbias: p.grad(parameters.denseBias), dout: dpre,
                        inp: acts.headIn, weight: p.value(parameters.denseWeight), n: b, c: c, oc: c)
        if parameters.head.dropoutBeforeDense { dropout(dpool, b * c, site: 1022, probability: cfg.headDropoutProb, acts) }
    }

    /// Backward of `forwardAfterAttention` on `rows` rows, from dout, the gradient of its output:
    /// sets dresidual to the gradient of its residual input and dattention to that of its
    /// attention output, and accumulates the parameters' gradients. Uses scratch s1, s2 and f1
    /// (dattention may be s2).
    private func backwardAfterAttention(_ lp: LayerParameters, _ la: LayerActivations, site: UInt64, rows: Int,
                                        dout: Pointer, attentionOutput: Pointer, dresidual: Pointer, dattention: Pointer,
                                        _ acts: Activations) {
        let cfg = configuration, c = cfg.hiddenSize, f = cfg.intermediateSize, p = parameters
        guard let scratch = acts.scratch else { preconditionFailure("backward needs a training forward") }
        // out = LN2(r2), r2 = x1 + drop(g·Wo2ᵀ); dropout in place turns dr2 into d(g·Wo2ᵀ)
        let dr2 = scratch.s1, dx1 = scratch.s2
        zero(dr2, rows * c)
        LayerNorm.backward(dinp: dr2, dweight: p.grad(lp.ln2Weight), dbias: p.grad(lp.ln2Bias), dout: dout, inp: la.r2,
                           weight: p.value(lp.ln2Weight), mean: la.ln2Mean, rstd: la.ln2Rstd, n: rows, c: c)
        dx1.update(from: dr2, count: rows * c)
        dropout(dr2, rows * c, site: site + 2, acts)
        // g = gelu(h) was not kept: the GELU backward recomputes it (into la.g) for Wo2's gradient
        let dh = scratch.f1
        Linear.backwardInput(dinp: dh, dout: dr2, weight: p.value(lp.ffnOutWeight), n: rows, c: f, oc: c, beta: 0)
        GELU.backwardRecomputing(dh, out: la.g, inp: la.h, count: rows * f, form: cfg.hiddenAct)
        Linear.backwardParameters(dweight: p.grad(lp.ffnOutWeight), dbias: p.grad(lp.ffnOutBias), dout: dr2, inp: la.g,
                                  n: rows, c: f, oc: c)
        Linear.backward(dinp: dx1, dweight: p.grad(lp.ffnInWeight), dbias: p.grad(lp.ffnInBias), dout: dh, inp: la.x1,
                        weight: p.value(lp.ffnInWeight), n: rows, c: c, oc: f)
        // x1 = LN1(r1), r1 = residual + drop(attentionOutput·Woᵀ)
        let dr1 = scratch.s1
        zero(dr1, rows * c)
        LayerNorm.backward(dinp: dr1, dweight: p.grad(lp.ln1Weight), dbias: p.grad(lp.ln1Bias), dout: dx1, inp: la.r1,
                           weight: p.value(lp.ln1Weight), mean: la.ln1Mean, rstd: la.ln1Rstd, n: rows, c: c)
        dresidual.update(from: dr1, count: rows * c)
        dropout(dr1, rows * c, site: site + 1, probability: cfg.attentionOutputDropoutProb, acts)
        Linear.backwardInput(dinp: dattention, dout: dr1, weight: p.value(lp.attnOutWeight), n: rows, c: c, oc: c, beta: 0)
        Linear.backwardParameters(dweight: p.grad(lp.attnOutWeight), dbias: p.grad(lp.attnOutBias), dout: dr1,
                                  inp: attentionOutput, n: rows, c: c, oc: c)
    }

    /// A bi-encoder's regression targets for the cosine: the scores divided by `scoreScale`.
    private func cosineTargets(_ labels: Batch.Labels) -> Batch.Labels {
        guard case .values(let scores) = labels, configuration.scoreScale != 1 else { return labels }
        return .values(scores.map { $0 / configuration.scoreScale })
    }

    /// Calls `body` with the packed token ids, positions and token types (nil when the batch has
    /// none or the model has no token types) from packed row `first` on.
    private func withPackedTokens(from first: Int, _ body: (UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Int32>?) -> Void) {
        packed.inputIds.withUnsafeBufferPointer { ids in
            packed.positions.withUnsafeBufferPointer { positions in
                guard let types = packed.tokenTypeIds, wtt != nil else { return body(ids.baseAddress! + first, positions.baseAddress! + first, nil) }
                types.withUnsafeBufferPointer { body(ids.baseAddress! + first, positions.baseAddress! + first, $0.baseAddress! + first) }
            }
        }
    }
}

private func zero(_ x: UnsafeMutablePointer<Float>, _ count: Int) { x.update(repeating: 0, count: count) }
