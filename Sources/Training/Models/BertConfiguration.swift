/// A BERT-family encoder's shape and regularisation, with HF config key names so `config.json`
/// reads the same in both worlds. One configuration covers the architectures that share BERT's
/// post-LN encoder and differ only at the edges (`ModelType`): how position ids are counted,
/// whether the embeddings are projected, and the classification head.
public struct BertConfiguration: Sendable, Equatable, Codable {
    /// HF `model_type`s dsprep builds, with what sets them apart.
    public enum ModelType: String, Sendable, Codable, CaseIterable {
        case bert
        case roberta
        case xlmRoberta = "xlm-roberta"
        case electra

        /// The base model's attribute in `*ForSequenceClassification` (the weights' name prefix).
        public var prefix: String {
            switch self {
            case .bert: return "bert."
            case .roberta, .xlmRoberta: return "roberta."
            case .electra: return "electra."
            }
        }

        /// transformers' class for sequence classification / regression.
        public var sequenceClassificationArchitecture: String {
            switch self {
            case .bert: return "BertForSequenceClassification"
            case .roberta: return "RobertaForSequenceClassification"
            case .xlmRoberta: return "XLMRobertaForSequenceClassification"
            case .electra: return "ElectraForSequenceClassification"
            }
        }

        /// transformers' class for the encoder alone (`AutoModel`), what sentence-transformers loads.
        public var baseArchitecture: String {
            switch self {
            case .bert: return "BertModel"
            case .roberta: return "RobertaModel"
            case .xlmRoberta: return "XLMRobertaModel"
            case .electra: return "ElectraModel"
            }
        }

        /// RoBERTa counts positions from `pad_token_id + 1` over non-pad tokens (fairseq's
        /// `make_positions`); BERT and ELECTRA use 0, 1, 2, … .
        var positions: PackedBatch.PositionRule {
            switch self {
            case .bert, .electra: return .absolute
            case .roberta, .xlmRoberta: return .afterPadding
            }
        }

        var head: ClassificationHead {
            switch self {
            // BertForSequenceClassification: pooler (dense → tanh) → dropout → classifier
            case .bert: return ClassificationHead(dense: "bert.pooler.dense", output: "classifier", activation: .tanh, dropoutBeforeDense: false)
            // RobertaClassificationHead: dropout → dense → tanh → dropout → out_proj
            case .roberta, .xlmRoberta:
                return ClassificationHead(dense: "classifier.dense", output: "classifier.out_proj", activation: .tanh, dropoutBeforeDense: true)
            // ElectraClassificationHead: the same with GELU (erf) in place of tanh
            case .electra:
                return ClassificationHead(dense: "classifier.dense", output: "classifier.out_proj", activation: .gelu, dropoutBeforeDense: true)
            }
        }
    }

    /// The head on the first token's vector: dense (C,C) → activation → dropout → output (K,C).
    struct ClassificationHead: Equatable {
        enum Activation { case tanh, gelu }
        /// parameter name stems (without .weight / .bias)
        var dense, output: String
        var activation: Activation
        var dropoutBeforeDense: Bool
    }

    /// What the encoder's output feeds.
    public enum Output: String, Sendable, Codable {
        /// HF `*ForSequenceClassification`: a head on each sequence's first token
        case sequenceClassification = "sequence_classification"
        /// a sentence-transformers bi-encoder: each text's token vectors mean-pooled into an
        /// embedding, and the cosine of a pair's two embeddings as the prediction
        /// (`CosineSimilarityLoss`); no head parameters
        case cosineSimilarity = "cosine_similarity"
    }

    public var modelType: ModelType = .bert
    /// Not a transformers key: `ModelConfigFile` stores it under `dsprep_output`.
    public var output: Output = .sequenceClassification
    /// What a bi-encoder learns from its pairs' scores.
    public enum SimilarityLoss: String, Sendable, Codable, CaseIterable {
        /// sentence-transformers' CosineSimilarityLoss: MSE between the cosine and score / scoreScale
        case cosine
        /// sentence-transformers' CoSENTLoss: the pairs' cosines in the order of their scores
        case cosent
    }

    /// A training choice, not saved in config.json.
    public var similarityLoss: SimilarityLoss = .cosine
    /// A bi-encoder's score range: it predicts scoreScale · cosine and learns cosine against
    /// score / scoreScale (sentence-transformers scales STS scores 0…5 to 0…1). `dsprep_score_scale`.
    public var scoreScale: Float = 1
    public var vocabSize: Int
    public var hiddenSize: Int = 256
    public var numHiddenLayers: Int = 4
    public var numAttentionHeads: Int = 4
    public var intermediateSize: Int = 1024
    public var maxPositionEmbeddings: Int = 512
    public var typeVocabSize: Int = 2
    public var hiddenDropoutProb: Float = 0.1
    public var attentionProbsDropoutProb: Float = 0.1
    /// The head's dropout; nil uses `hiddenDropoutProb` (as HF).
    public var classifierDropout: Float?
    public var layerNormEps: Float = 1e-12
    public var initializerRange: Float = 0.02
    /// from-scratch models use the tanh form; pretrained BERTs the exact one
    public var hiddenAct: GELU.Form = .tanh
    public var padTokenId: Int = 0
    /// ELECTRA's embedding width when it differs from `hiddenSize` (then `embeddings_project` maps it).
    public var embeddingSize: Int?
    /// A training choice, not saved in config.json: the word embeddings get no gradient and no
    /// optimizer state (~80% of a multilingual small model's parameters).
    public var freezeWordEmbeddings = false

    public init(vocabSize: Int, hiddenSize: Int = 256, numHiddenLayers: Int = 4, numAttentionHeads: Int = 4,
                intermediateSize: Int = 1024, maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2,
                hiddenDropoutProb: Float = 0.1, attentionProbsDropoutProb: Float = 0.1) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
    }

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case hiddenDropoutProb = "hidden_dropout_prob", attentionProbsDropoutProb = "attention_probs_dropout_prob"
        case classifierDropout = "classifier_dropout"
        case layerNormEps = "layer_norm_eps", initializerRange = "initializer_range"
        case hiddenAct = "hidden_act", padTokenId = "pad_token_id", embeddingSize = "embedding_size"
    }

    /// The shape keys are required; the others default to HF's `BertConfig` defaults when absent.
    /// `hidden_act` and `model_type` are checked by `ModelConfigFile` for a clear message first.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try c.decodeIfPresent(ModelType.self, forKey: .modelType) ?? .bert
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 2
        hiddenDropoutProb = try c.decodeIfPresent(Float.self, forKey: .hiddenDropoutProb) ?? 0.1
        attentionProbsDropoutProb = try c.decodeIfPresent(Float.self, forKey: .attentionProbsDropoutProb) ?? 0.1
        classifierDropout = try c.decodeIfPresent(Float.self, forKey: .classifierDropout)
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? 1e-12
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        hiddenAct = try c.decodeIfPresent(GELU.Form.self, forKey: .hiddenAct) ?? .exact
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId) ?? 0
        embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize)
    }

    /// Width of the embedding tables (E): ELECTRA's `embedding_size`, else the hidden size.
    public var embeddingWidth: Int { embeddingSize ?? hiddenSize }
    /// Whether `embeddings_project` (E→C) follows the embeddings.
    public var projectsEmbeddings: Bool { embeddingWidth != hiddenSize }
    public var headDropoutProb: Float { classifierDropout ?? hiddenDropoutProb }
    /// The longest row the position table allows (RoBERTa spends `pad_token_id + 1` positions).
    public var maxSequenceLength: Int {
        modelType.positions == .absolute ? maxPositionEmbeddings : maxPositionEmbeddings - padTokenId - 1
    }

    /// The parameters in HF `*ForSequenceClassification` naming, in buffer order (without the
    /// head for a bi-encoder). Query, key and value weights (then biases) are adjacent, so they
    /// form one fused (3C,C) projection.
    func parameterSpecs(outputs k: Int) -> [ParameterSpec] {
        let c = hiddenSize, e = embeddingWidth, f = intermediateSize, std = initializerRange
        let base = modelType.prefix, head = modelType.head
        var specs: [ParameterSpec] = [
            .weight(base + "embeddings.word_embeddings.weight", [vocabSize, e], std: std),
            .weight(base + "embeddings.position_embeddings.weight", [maxPositionEmbeddings, e], std: std),
            .weight(base + "embeddings.token_type_embeddings.weight", [typeVocabSize, e], std: std),
        ] + ParameterSpec.layerNorm(base + "embeddings.LayerNorm", e)
        if projectsEmbeddings {
            specs += [.weight(base + "embeddings_project.weight", [c, e], std: std), .bias(base + "embeddings_project.bias", c)]
        }
        for l in 0..<numHiddenLayers {
            let p = base + "encoder.layer.\(l)."
            specs += ["query", "key", "value"].map { .weight(p + "attention.self.\($0).weight", [c, c], std: std) }
            specs += ["query", "key", "value"].map { .bias(p + "attention.self.\($0).bias", c) }
            specs += [.weight(p + "attention.output.dense.weight", [c, c], std: std), .bias(p + "attention.output.dense.bias", c)]
            specs += ParameterSpec.layerNorm(p + "attention.output.LayerNorm", c)
            specs += [.weight(p + "intermediate.dense.weight", [f, c], std: std), .bias(p + "intermediate.dense.bias", f)]
            specs += [.weight(p + "output.dense.weight", [c, f], std: std), .bias(p + "output.dense.bias", c)]
            specs += ParameterSpec.layerNorm(p + "output.LayerNorm", c)
        }
        guard output == .sequenceClassification else { return specs }
        specs += [.weight(head.dense + ".weight", [c, c], std: std), .bias(head.dense + ".bias", c)]
        specs += [.weight(head.output + ".weight", [k, c], std: std), .bias(head.output + ".bias", k)]
        return specs
    }
}
