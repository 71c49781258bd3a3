import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep tokenize INPUT --plan-out plan.json --num-shards K` and
/// `dsprep tokenize --plan plan.json --shard-index I --out part-I/`: one pass plans the shards,
/// then each shard process reads only its own bytes (`TokenizePlan`). The launcher in `python/`
/// runs the shards as Ray tasks.
extension TokenizeCommand {
    /// The job options the flags give.
    func jobOptions(maxLength: Int?) -> TokenizeJob.Options {
        TokenizeJob.Options(textColumn: text.textColumn, textPairColumn: textPair.textPairColumn, labelColumn: label.labelColumn,
                            noLabel: noLabel, keepColumns: keepColumns, attentionMask: attentionMask,
                            separatePairs: pairEncoding == .separate, maxLength: maxLength, threads: threads.count)
    }

    /// True when --plan-out or --plan is given (and the flags fit them); false for other runs.
    func validatePlanFlags() throws -> Bool {
        guard planOut != nil || plan != nil else { return false }
        if planOut != nil && plan != nil { throw ValidationError("give --plan-out (make a plan) or --plan (run a shard of one), not both") }
        if planOut != nil {
            guard (numShards ?? 0) >= 1 else { throw ValidationError("--plan-out needs --num-shards K (at least 1)") }
            if shardIndex != nil { throw ValidationError("--plan-out plans every shard: drop --shard-index and run each with --plan") }
            if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
            return true
        }
        guard shardIndex != nil else { throw ValidationError("--plan needs --shard-index I") }
        guard out != nil else { throw ValidationError("--plan needs --out FOLDER for the shard") }
        if !files.isEmpty {
            throw ValidationError("--plan takes the input from the plan: drop the input files")
        }
        // What the plan fixed cannot be changed per shard: every shard must tokenize alike.
        let fixed: [(String, Bool)] = [
            ("--tokenizer", tokenizer.tokenizer != nil), ("--text-column", text.textColumn != nil),
            ("--text-pair-column", textPair.textPairColumn != nil), ("--label-column", label.labelColumn != nil), ("--no-label", noLabel), ("--max-length", maxLength != nil),
            ("--keep-column", !keepColumns.isEmpty), ("--attention-mask", attentionMask), ("--pair-encoding", pairEncoding != .joint),
            ("--format/--delimiter/--quoting/--no-header/--column", input.format != nil || input.delimiter != nil || input.quoting != nil || input.noHeader || !input.columnTypes.isEmpty),
        ]
        if let (flag, _) = fixed.first(where: { $0.1 }) {
            throw ValidationError("\(flag) is fixed by the plan: give it to --plan-out, not to a shard")
        }
        return true
    }

    /// Makes a plan or runs a planned shard; false when neither flag is given.
    func runPlanned() throws -> Bool {
        if let planOut, let numShards {
            let named = try files.resolve()
            let tokenizerPath = try tokenizer.path()
            try OutputPolicy.checkFile(planOut, inputs: named.map(\.path) + [tokenizerPath], overwrite: false, flag: "--plan-out")
            _ = try TokenizerLoader.load(path: tokenizerPath)  // a bad tokenizer fails here, not in K shards
            let start = Date()
            let made = try TokenizePlan.make(inputs: named.map { (split: $0.name, path: $0.path) }, asCollection: files.asCollection,
                                             tokenizerPath: tokenizerPath,
                                             options: jobOptions(maxLength: maxLength ?? TokenizerLoader.modelMaxLength(folder: tokenizerPath)), ingestOptions: try input.ingestOptions(),
                                             numShards: numShards)
            try made.write(to: planOut)
            guard !quiet.quiet else { return true }
            print("\(planOut): \(made.numShards) shards, planned in \(Formatting.seconds(Date().timeIntervalSince(start)))")
            for split in made.splits {
                print("[\(split.name)] \(split.input.path): \(split.input.rowCount) rows (text: \(split.textColumn), label: \(split.labelColumn ?? "none")), "
                      + "read \(split.input.bytesRead) bytes of \(split.input.size)")
                for shard in split.input.shards {
                    print("  shard \(shard.index): rows \(shard.firstRow)..<\(shard.firstRow + shard.rows), bytes \(shard.byteStart)..<\(shard.byteEnd)")
                }
            }
            return true
        }
        guard let plan, let shardIndex, let out else { return false }
        let loaded = try TokenizePlan.read(from: plan)
        try OutputPolicy.checkFolder(out, kind: .dataset, inputs: [plan, loaded.tokenizerPath] + loaded.splits.map(\.input.path))
        if let numShards, numShards != loaded.numShards {
            throw ValidationError("--num-shards \(numShards) differs from the plan's \(loaded.numShards) shards")
        }
        let rows = loaded.splits.reduce(0) { $0 + $1.input.rows(inShard: shardIndex) }
        let progress = ProgressBar("tokenize shard \(shardIndex) of \(loaded.numShards)", total: rows, quiet: quiet.quiet)
        let stats = try loaded.runShard(shardIndex, out: out, threads: threads.count, loadTokenizer: { try TokenizerLoader.load(path: $0) },
                                        progress: progress)
        progress.finish()
        if !quiet.quiet {
            let ranges = stats.splits.map { "\($0.split) bytes \($0.byteStart)..<\($0.byteEnd)" }.joined(separator: ", ")
            print("\(out): shard \(shardIndex) of \(stats.shards), \(stats.rows) rows, read \(stats.bytesRead) of \(stats.inputBytes) input bytes "
                  + "(\(ranges)) in \(Formatting.seconds(stats.seconds))")
        }
        print(stats.line)  // for launchers
        return true
    }
}
