/// A BERT-family encoder's shape and regularisation, with HF config key names so `config.json`
/// reads the same in both worlds (DistilBERT's own key names are translated by `ModelConfigFile`).
/// One configuration covers the architectures that share BERT's post-LN encoder and differ only
/// at the edges (`ModelType`): parameter names, how position ids are counted, whether there are
/// token types, whether the embeddings are projected, a dropout site, and the classification head.
public struct BertConfiguration: Sendable, Equatable, Codable {
    /// HF `model_type`s dsprep builds, with what sets them apart.
    public enum ModelType: String, Sendable, Codable, CaseIterable {
        case bert
        case roberta
        case xlmRoberta = "xlm-roberta"
        case electra
        case distilbert

        /// The base model's attribute in `*ForSequenceClassification` (the weights' name prefix).
        public var prefix: String {
            switch self {
            case .bert: return "bert."
            case .roberta, .xlmRoberta: return "roberta."
            case .electra: return "electra."
            case .distilbert: return "distilbert."
            }
        }

        /// transformers' class for sequence classification / regression.
        public var sequenceClassificationArchitecture: String {
            switch self {
            case .bert: return "BertForSequenceClassification"
            case .roberta: return "RobertaForSequenceClassification"
            case .xlmRoberta: return "XLMRobertaForSequenceClassification"
            case .electra: return "ElectraForSequenceClassification"
            case .distilbert: return "DistilBertForSequenceClassification"
            }
        }

        /// transformers' class for the encoder alone (`AutoModel`), what sentence-transformers loads.
        public var baseArchitecture: String {
            switch self {
            case .bert: return "BertModel"
            case .roberta: return "RobertaModel"
            case .xlmRoberta: return "XLMRobertaModel"
            case .electra: return "ElectraModel"
            case .distilbert: return "DistilBertModel"
            }
        }

        /// RoBERTa counts positions from `pad_token_id + 1` over non-pad tokens (fairseq's
        /// `make_positions`); BERT, ELECTRA and DistilBERT use 0, 1, 2, … .
        var positions: PackedBatch.PositionRule {
            switch self {
            case .bert, .electra, .distilbert: return .absolute
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
            // DistilBertForSequenceClassification: pre_classifier → ReLU → dropout → classifier
            case .distilbert: return ClassificationHead(dense: "pre_classifier", output: "classifier", activation: .relu, dropoutBeforeDense: false)
            }
        }

        /// DistilBERT has no token type embeddings (its forward takes no token_type_ids).
        public var hasTokenTypes: Bool { self != .distilbert }

        /// DistilBERT applies no dropout to the attention output projection (BERT's `attention.output.dropout`).
        var dropsAttentionOutput: Bool { self != .distilbert }

        /// The parameter name stems (without .weight / .bias) of encoder layer `l`.
        func layerNames(_ l: Int) -> LayerNames {
            switch self {
            case .bert, .roberta, .xlmRoberta, .electra:
                let p = prefix + "encoder.layer.\(l)."
                return LayerNames(query: p + "attention.self.query", key: p + "attention.self.key", value: p + "attention.self.value",
                                  attentionOutput: p + "attention.output.dense", attentionNorm: p + "attention.output.LayerNorm",
                                  intermediate: p + "intermediate.dense", output: p + "output.dense", outputNorm: p + "output.LayerNorm")
            case .distilbert:
                let p = prefix + "transformer.layer.\(l)."
                return LayerNames(query: p + "attention.q_lin", key: p + "attention.k_lin", value: p + "attention.v_lin",
                                  attentionOutput: p + "attention.out_lin", attentionNorm: p + "sa_layer_norm",
                                  intermediate: p + "ffn.lin1", output: p + "ffn.lin2", outputNorm: p + "output_layer_norm")
            }
        }
    }

    /// One encoder layer's parameters by role: attention projections, the post-attention
    /// LayerNorm, the feed-forward pair and the output LayerNorm.
    struct LayerNames {
        var query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm: String
    }

    /// The head on the first token's vector: dense (C,C) → activation → dropout → output (K,C).
    struct ClassificationHead: Equatable {
        enum Activation { case tanh, gelu, relu }
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
    /// 0 for a model type without token types (DistilBERT)
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
    /// The dropout on the attention output projection, before the residual sum.
    var attentionOutputDropoutProb: Float { modelType.dropsAttentionOutput ? hiddenDropoutProb : 0 }
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
        ]
        if modelType.hasTokenTypes {
            specs.append(.weight(base + "embeddings.token_type_embeddings.weight", [typeVocabSize, e], std: std))
        }
        specs += ParameterSpec.layerNorm(base + "embeddings.LayerNorm", e)
        if projectsEmbeddings {
            specs += [.weight(base + "embeddings_project.weight", [c, e], std: std), .bias(base + "embeddings_project.bias", c)]
        }
        for l in 0..<numHiddenLayers {
            let names = modelType.layerNames(l), qkv = [names.query, names.key, names.value]
            specs += qkv.map { .weight($0 + ".weight", [c, c], std: std) }
            specs += qkv.map { .bias($0 + ".bias", c) }
            specs += [.weight(names.attentionOutput + ".weight", [c, c], std: std), .bias(names.attentionOutput + ".bias", c)]
            specs += ParameterSpec.layerNorm(names.attentionNorm, c)
            specs += [.weight(names.intermediate + ".weight", [f, c], std: std), .bias(names.intermediate + ".bias", f)]
            specs += [.weight(names.output + ".weight", [c, f], std: std), .bias(names.output + ".bias", c)]
            specs += ParameterSpec.layerNorm(names.outputNorm, c)
        }
        guard output == .sequenceClassification else { return specs }
        specs += [.weight(head.dense + ".weight", [c, c], std: std), .bias(head.dense + ".bias", c)]
        specs += [.weight(head.output + ".weight", [k, c], std: std), .bias(head.output + ".bias", k)]
        return specs
    }
}
