/// A BERT encoder's shape and regularisation, with HF `BertConfig` key names so `config.json`
/// reads the same in both worlds.
public struct BertConfiguration: Sendable, Equatable, Codable {
    public var vocabSize: Int
    public var hiddenSize: Int = 256
    public var numHiddenLayers: Int = 4
    public var numAttentionHeads: Int = 4
    public var intermediateSize: Int = 1024
    public var maxPositionEmbeddings: Int = 512
    public var typeVocabSize: Int = 2
    public var hiddenDropoutProb: Float = 0.1
    public var attentionProbsDropoutProb: Float = 0.1
    public var layerNormEps: Float = 1e-12
    public var initializerRange: Float = 0.02

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
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case hiddenDropoutProb = "hidden_dropout_prob", attentionProbsDropoutProb = "attention_probs_dropout_prob"
        case layerNormEps = "layer_norm_eps", initializerRange = "initializer_range"
    }

    /// The parameters in HF `BertForSequenceClassification` naming, in buffer order. Query, key
    /// and value weights (then biases) are adjacent, so they form one fused (3C,C) projection.
    func parameterSpecs(outputs k: Int) -> [ParameterSpec] {
        let c = hiddenSize, f = intermediateSize, std = initializerRange
        var specs: [ParameterSpec] = [
            .weight("bert.embeddings.word_embeddings.weight", [vocabSize, c], std: std),
            .weight("bert.embeddings.position_embeddings.weight", [maxPositionEmbeddings, c], std: std),
            .weight("bert.embeddings.token_type_embeddings.weight", [typeVocabSize, c], std: std),
        ] + ParameterSpec.layerNorm("bert.embeddings.LayerNorm", c)
        for l in 0..<numHiddenLayers {
            let p = "bert.encoder.layer.\(l)."
            specs += ["query", "key", "value"].map { .weight(p + "attention.self.\($0).weight", [c, c], std: std) }
            specs += ["query", "key", "value"].map { .bias(p + "attention.self.\($0).bias", c) }
            specs += [.weight(p + "attention.output.dense.weight", [c, c], std: std), .bias(p + "attention.output.dense.bias", c)]
            specs += ParameterSpec.layerNorm(p + "attention.output.LayerNorm", c)
            specs += [.weight(p + "intermediate.dense.weight", [f, c], std: std), .bias(p + "intermediate.dense.bias", f)]
            specs += [.weight(p + "output.dense.weight", [c, f], std: std), .bias(p + "output.dense.bias", c)]
            specs += ParameterSpec.layerNorm(p + "output.LayerNorm", c)
        }
        specs += [.weight("bert.pooler.dense.weight", [c, c], std: std), .bias("bert.pooler.dense.bias", c)]
        specs += [.weight("classifier.weight", [k, c], std: std), .bias("classifier.bias", k)]
        return specs
    }
}
