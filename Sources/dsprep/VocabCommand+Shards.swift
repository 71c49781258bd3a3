import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing

/// Vocabulary training over shards (`VocabPlan`): `vocab train INPUT... --plan-out plan.json
/// --num-shards K` plans, `vocab count --plan plan.json --shard-index I` counts the words of one
/// shard's bytes, and `vocab merge --plan plan.json COUNTS...` trains on all the counts: the
/// vocabulary of one `vocab train`. The launcher in `python/` runs the counts as Ray tasks.
extension VocabCommand.Train {
    func validatePlanFlags() throws {
        guard planOut != nil else {
            if numShards != nil { throw ValidationError("--num-shards plans shards: give --plan-out too") }
            if out == nil { throw ValidationError("give --out for the vocabulary (or --plan-out to plan shards)") }
            return
        }
        guard (numShards ?? 0) >= 1 else { throw ValidationError("--plan-out needs --num-shards K (at least 1)") }
        if out != nil { throw ValidationError("--plan-out only plans: give --out to vocab merge") }
    }

    func plan(into planOut: String, numShards: Int) throws {
        try OutputPolicy.checkFile(planOut, inputs: files, overwrite: overwriteFlag.overwrite, flag: "--plan-out")
        let start = Date()
        let plan = try VocabPlan.make(inputs: files, job: job, ingest: try input.ingestOptions(), numShards: numShards)
        try plan.write(to: planOut)
        guard !quiet.quiet else { return }
        print("\(planOut): \(numShards) shards, planned in \(Formatting.seconds(Date().timeIntervalSince(start)))")
        for planned in plan.inputs {
            print("\(planned.input.path): \(planned.input.rowCount) rows (text: \(planned.textColumn)), read \(planned.input.bytesRead) bytes of \(planned.input.size)")
        }
    }
}

extension VocabCommand {
    struct Count: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the words of one shard of a vocabulary plan (reading only its bytes), for vocab merge.")

        @Option(help: ArgumentHelp("The plan (dsprep vocab train ... --plan-out).", valueName: "plan.json"))
        var plan: String

        @Option(help: "The shard to count, 0..<K.")
        var shardIndex: Int

        @Option(help: "The counts file to write.")
        var out: String

        @OptionGroup var overwriteFlag: OverwriteFlag

        @OptionGroup var threads: ThreadsOption

        @OptionGroup var quiet: QuietFlag

        func run() throws {
            let loaded = try VocabPlan.read(from: plan)
            try OutputPolicy.checkFile(out, inputs: [plan] + loaded.inputs.map(\.input.path), overwrite: overwriteFlag.overwrite)
            let rows = loaded.inputs.reduce(0) { $0 + $1.input.rows(inShard: shardIndex) }
            let progress = ProgressBar("count shard \(shardIndex) of \(loaded.numShards)", total: rows, quiet: quiet.quiet)
            let stats = try loaded.countShard(shardIndex, out: out, threads: threads.count,
                                              progress: progress)
            if !quiet.quiet {
                print("\(out): shard \(shardIndex) of \(stats.shards), \(stats.rows) rows, read \(stats.bytesRead) of \(stats.inputBytes) input bytes "
                      + "in \(Formatting.seconds(stats.seconds))")
            }
            print(stats.line)  // for launchers
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the vocabulary of a plan on the word counts of all its shards (vocab count), as vocab train would.")

        @Option(help: ArgumentHelp("The plan the counts were made from.", valueName: "plan.json"))
        var plan: String

        @Argument(help: "The counts file of every shard (any order).")
        var counts: [String]

        @Option(help: "Output: a .json (WordPiece) or .model (Unigram) file (replaced only with --overwrite), or a folder, as vocab train writes.")
        var out: String

        @OptionGroup var overwriteFlag: OverwriteFlag

        @OptionGroup var threads: ThreadsOption

        @OptionGroup var quiet: QuietFlag

        func validate() throws {
            if counts.isEmpty { throw ValidationError("give the counts file of every shard") }
        }

        func run() throws {
            let start = Date()
            let loaded = try VocabPlan.read(from: plan)
            try loaded.job.checkOutput(out, inputs: [plan] + counts + loaded.inputs.map(\.input.path), overwrite: overwriteFlag.overwrite)
            let made = try loaded.merge(counts: counts, out: out, threads: threads.count, quiet: quiet.quiet)
            if !quiet.quiet { print(String(format: "%@ in %.1f s → %@", made, Date().timeIntervalSince(start), out)) }
        }
    }
}
