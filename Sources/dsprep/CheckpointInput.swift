import DSPrepSupport
import Training
import TrainingData

/// What `evaluate` and `predict` share: a trained checkpoint folder and the token shards to run
/// it on, with the collator the model's limits call for.
struct CheckpointInput {
    let model: Model
    let labelNames: [String]?
    let rows: LabelledRows<ShardTokenRows>
    let collator: Collator

    init(checkpoint: String, data: String, requireLabels: Bool) throws {
        (model, labelNames) = try ModelFiles.load(from: checkpoint)
        rows = try TokenizedSplit.load(data, preferredSplits: TokenizedSplit.evalSplits, requireLabels: requireLabels)
        let maxLength = (model as? BertModel)?.configuration.maxPositionEmbeddings ?? Int(Int32.max)
        collator = Collator(padTokenId: 0, maxLength: maxLength)
    }
}
