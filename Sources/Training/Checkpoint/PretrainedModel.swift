import DSPrepSupport
import Foundation

/// A BERT / RoBERTa / XLM-R / ELECTRA encoder started from an HF model folder (config.json and
/// weights), with a fresh head for the task, as `AutoModelForSequenceClassification.from_pretrained`
/// does: tensors are matched by name with or without the base model's prefix (`bert.`,
/// `roberta.`, `electra.`), integer buffers (`position_ids`) are skipped, parameters the folder
/// lacks keep HF's initialization (normal(0, initializer_range), zero bias, LayerNorm 1/0), and
/// tensors the model does not use are reported.
public enum PretrainedModel {
    public struct LoadReport: Sendable, Equatable {
        /// parameters the folder did not have (the head; a missing pooler), in buffer order
        public var newlyInitialized: [String] = []
        /// floating-point tensors of the folder the model has no place for (e.g. MLM heads)
        public var unused: [String] = []

        /// transformers-style lines about the two lists (nothing when both are empty).
        public func messages(folder: String) -> [String] {
            var lines: [String] = []
            if !newlyInitialized.isEmpty {
                lines.append("Some weights were not in \(folder) and are newly initialized: " + newlyInitialized.joined(separator: ", "))
            }
            if !unused.isEmpty {
                lines.append("Some weights of \(folder) were not used: " + unused.joined(separator: ", "))
            }
            return lines
        }
    }

    /// The model folder's configuration, task as its config describes it, and the config.json object.
    public static func configuration(in folder: String) throws -> (BertConfiguration, ProblemType, JSONValue) {
        try BertConfiguration.load(configAt: folder + "/" + ModelFiles.configFile)
    }

    /// Builds the model for `task` from `folder`. The head's initialization depends on `seed`;
    /// `adjust` may change what does not touch the weights' shapes (dropout).
    public static func load(folder: String, task: ProblemType, seed: UInt64,
                            adjust: (inout BertConfiguration) -> Void = { _ in }) throws -> (model: BertModel, report: LoadReport) {
        var (configuration, _, config) = try configuration(in: folder)
        adjust(&configuration)
        // only what the folder lacks (the head, e5's pooler) is initialized: the rest is read
        let model = try BertModel(configuration: configuration, loss: try TaskLoss(task: task), seed: seed, initializeParameters: false)
        model.baseConfig = config
        model.sourceFolder = folder
        let (report, missing) = try fill(model.parameters, from: PretrainedWeights.open(folder: folder), prefix: configuration.modelType.prefix)
        model.parameters.initialize(seed: seed, only: missing)
        return (model, report)
    }

    /// Copies every tensor of `source` that names a parameter of `store` (as is, or with `prefix`);
    /// returns the report and the indices of the parameters no tensor filled.
    static func fill(_ store: ParameterStore, from source: TensorSource, prefix: String) throws -> (LoadReport, missing: [Int]) {
        var loaded = Set<Int>(), report = LoadReport()
        for name in source.tensorNames {
            guard source.isFloatingPoint(name) else { continue }
            let canonical = legacyLayerNormName(name)
            guard let index = store.index(of: canonical) ?? store.index(of: prefix + canonical) else {
                report.unused.append(name)
                continue
            }
            let spec = store.specs[index]
            let shape = source.shape(of: name) ?? []
            guard shape == spec.shape else {
                throw InputError("tensor \(name) has shape \(shape), but the model's \(spec.name) is \(spec.shape)",
                                 hint: "the config.json does not describe these weights, or the folder's head has another number of labels")
            }
            guard loaded.insert(index).inserted else {
                throw InputError("tensors \(name) and \(prefix + canonical) both fill \(spec.name)", hint: "remove one of them from the folder")
            }
            try source.read(name, into: UnsafeMutableBufferPointer(start: store.value(index), count: spec.count))
        }
        let missing = store.specs.indices.filter { !loaded.contains($0) }
        report.newlyInitialized = missing.map { store.specs[$0].name }
        return (report, missing)
    }

    /// Old TF-converted checkpoints name LayerNorm parameters gamma/beta (transformers renames them too).
    static func legacyLayerNormName(_ name: String) -> String {
        if name.hasSuffix("LayerNorm.gamma") { return String(name.dropLast("gamma".count)) + "weight" }
        if name.hasSuffix("LayerNorm.beta") { return String(name.dropLast("beta".count)) + "bias" }
        return name
    }
}
