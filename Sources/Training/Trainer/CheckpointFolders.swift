import DSPrepSupport
import Foundation

/// The `checkpoint-{step}/` folders of an output directory: writing one (all files or none),
/// the retention rule (always keep the best, plus the last N), and reading one back to resume.
public struct CheckpointFolders {
    public static let prefix = "checkpoint-"
    public static let optimizerFile = "optimizer.safetensors"
    public static let argumentsFile = "training_args.json"

    public let outputDir: String

    public init(outputDir: String) { self.outputDir = outputDir }

    public func path(step: Int) -> String { outputDir + "/" + Self.prefix + String(step) }

    /// Writes model, config, optimizer state (unless `save_only_model`), trainer state, arguments and the tokenizer copy.
    public func save(step: Int, model: Model, optimizer: AdamW, state: TrainerState, arguments: TrainingArguments,
                     labelNames: [String]?, tokenizer: String?) throws {
        try AtomicOutput.writeDirectory(at: path(step: step), kind: .checkpoint) { folder in
            try ModelFiles.save(model, labelNames: labelNames, in: folder)
            if !arguments.saveOnlyModel { try optimizer.saveState(to: folder + "/" + Self.optimizerFile) }
            try AtomicOutput.writeFile(try state.jsonData(), to: folder + "/" + TrainerState.fileName)
            try AtomicOutput.writeFile(Data((arguments.record.serialized() + "\n").utf8), to: folder + "/" + Self.argumentsFile)
            if let tokenizer { try ModelFiles.copyTokenizer(from: tokenizer, to: folder) }
        }
    }

    /// Steps of the checkpoints dsprep wrote here (marked as such), ascending.
    public func steps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDir)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix(Self.prefix), let step = Int(name.dropFirst(Self.prefix.count)),
                  OutputPolicy.markedKind(of: outputDir + "/" + name) == OutputKind.checkpoint.rawValue else { return nil }
            return step
        }.sorted()
    }

    /// Deletes every checkpoint except the `keepLast` newest and the best one; returns the
    /// steps deleted. nil keeps everything.
    @discardableResult
    public func applyRetention(keepLast: Int?, bestStep: Int?) throws -> [Int] {
        guard let keepLast else { return [] }
        let all = steps()
        let kept = Set(all.suffix(keepLast) + (bestStep.map { [$0] } ?? []))
        let deleted = all.filter { !kept.contains($0) }
        for step in deleted { try FileManager.default.removeItem(atPath: path(step: step)) }  // dsprep's: see `steps`
        return deleted
    }

    /// The checkpoint that `path` names: the folder itself when it holds a model (config.json);
    /// else, for the output folder of a training run, its best checkpoint (trainer_state.json's
    /// best_global_step, the one HF's load_best_model_at_end keeps), or its newest when no
    /// evaluation chose one. Only `checkpoint-N/` folders dsprep marked as its own are taken, so a
    /// step read from a file cannot lead elsewhere. `choice` says which and why (nil for a model folder).
    public static func modelFolder(at path: String) throws -> (folder: String, choice: String?) {
        if FileManager.default.fileExists(atPath: path + "/" + ModelFiles.configFile) { return (path, nil) }
        let folders = CheckpointFolders(outputDir: path)
        let steps = folders.steps()
        guard let newest = steps.last else {
            throw InputError("neither a model folder (no \(ModelFiles.configFile)) nor the output folder of `dsprep train` (no checkpoint-N/ it wrote)",
                             at: SourceLocation(path: path), hint: "pass a checkpoint-N/ folder, or the --out folder of a training run")
        }
        let statePath = path + "/" + TrainerState.fileName
        var reason = "the newest checkpoint"
        if FileManager.default.fileExists(atPath: statePath) {
            let state = try TrainerState.load(path: statePath)
            if let best = state.bestGlobalStep, steps.contains(best) {
                return (folders.path(step: best), "using \(prefix)\(best), the best checkpoint by \(state.bestMetricName ?? "the evaluation metric")")
            }
            if let best = state.bestGlobalStep { reason += " (the best, \(prefix)\(best), is no longer there)" }
        }
        return (folders.path(step: newest), "using \(prefix)\(newest), \(reason)")
    }

    /// Loads weights, optimizer state and trainer state from `folder` into a freshly built model.
    public static func resume(from folder: String, model: Model, optimizer: AdamW) throws -> TrainerState {
        try check(FileManager.default.fileExists(atPath: folder + "/" + TrainerState.fileName),
                  "not a checkpoint (no \(TrainerState.fileName))", at: SourceLocation(path: folder))
        let state = try TrainerState.load(path: folder + "/" + TrainerState.fileName)
        // HF's Trainer resumes such a checkpoint with fresh AdamW moments; that is not this run continued.
        guard FileManager.default.fileExists(atPath: folder + "/" + optimizerFile) else {
            throw InputError("no \(optimizerFile) to resume from: the checkpoint was saved with save_only_model",
                             at: SourceLocation(path: folder), hint: "fine-tune from its weights instead: --model \(folder)")
        }
        let unused = try Safetensors.load(folder + "/" + ModelFiles.weightsFile, into: model.parameters)
        try check(unused.isEmpty, "the checkpoint has tensors this model lacks: \(unused.prefix(3).joined(separator: ", "))",
                  at: SourceLocation(path: folder + "/" + ModelFiles.weightsFile))
        try optimizer.loadState(from: folder + "/" + optimizerFile)
        try check(optimizer.step == state.globalStep, "optimizer step \(optimizer.step) differs from global_step \(state.globalStep)",
                  at: SourceLocation(path: folder))
        (model as? BertModel)?.forwardCount = state.forwardCount
        return state
    }
}
