import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep tokenize`: a raw CSV/TSV/JSON file → token shards a trainer (or HF datasets) reads.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Turn CSV/TSV/JSONL files into memory-mapped token shards (HF save_to_disk layout), cached.",
        discussion: """
            Output columns: input_ids (list<int32>), token_type_ids for pairs, attention_mask with --attention-mask, \
            labels (int64 class ids with a ClassLabel, or float32 scores), length, and the columns named by \
            --keep-column. No padding: the collator pads at batch time. The same input bytes, tokenizer and options \
            finish from the cache (DSPREP_CACHE).
            """)

    @OptionGroup var files: InputFiles
    @OptionGroup var tokenizer: TokenizerOption

    @Option(help: "Output folder (default: named after the first input, beside it): a new or empty folder, or dsprep's earlier dataset output there, which is replaced; anything else is refused.")
    var out: String?

    @OptionGroup var text: TextColumnOption
    @OptionGroup var textPair: TextPairColumnOption
    @OptionGroup var label: LabelColumnOption

    @Flag(help: "Write no labels column.")
    var noLabel = false

    @Option(help: "Truncate rows to this many tokens, special tokens included (default: for a model folder, its tokenizer_config.json's model_max_length; else the tokenizer file's setting).")
    var maxLength: Int?

    @Option(name: .customLong("keep-column"), help: "Copy this input column into the shards (repeatable).")
    var keepColumns: [String] = []

    @Flag(help: "Also write attention_mask (all ones: there is no padding in the shards).")
    var attentionMask = false

    /// How a sentence pair becomes tokens.
    enum PairEncoding: String, ExpressibleByArgument, CaseIterable {
        /// one sequence with both texts, for a cross-encoder (what transformers' tokenizer(a, b) gives)
        case joint
        /// each text on its own, for a bi-encoder
        case separate
    }

    @Option(help: "How a text pair is encoded: joint (one sequence with both texts and token_type_ids, for a classifier or cross-encoder) or separate (input_ids and pair_input_ids, each text on its own, for a bi-encoder that `dsprep train` fine-tunes on cosine similarity).")
    var pairEncoding: PairEncoding = .joint

    @Option(help: "Process only shard --shard-index of this many (contiguous row ranges), for one process per shard.")
    var numShards: Int?

    @Option(help: "Which shard to process, 0-based.")
    var shardIndex: Int?

    @Option(help: ArgumentHelp("Plan --num-shards shards of one input into this JSON file and stop (see --plan).", valueName: "plan.json"))
    var planOut: String?

    @Option(help: ArgumentHelp("Run shard --shard-index of this plan, reading only its bytes; the input, tokenizer and options are the plan's.", valueName: "plan.json"))
    var plan: String?

    @OptionGroup var threads: ThreadsOption

    @Flag(help: "Neither read nor write the cache.")
    var noCache = false

    @OptionGroup var quiet: QuietFlag

    @OptionGroup var input: InputFlags

    func validate() throws {
        if try validatePlanFlags() { return }  // --plan-out / --plan: TokenizeCommand+Plan.swift
        if (numShards == nil) != (shardIndex == nil) { throw ValidationError("--num-shards and --shard-index go together") }
        if let numShards, numShards < 1 { throw ValidationError("--num-shards must be at least 1") }
        if let numShards, let shardIndex, !(0..<numShards).contains(shardIndex) {
            throw ValidationError("--shard-index must be in 0..<\(numShards)")
        }
        if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
    }

    func run() throws {
        if try runPlanned() { return }
        let named = try files.resolve()
        let tokenizerPath = try tokenizer.path()
        // A model folder's tokenizer_config.json says how long its inputs may be.
        let folderMaxLength = maxLength == nil ? TokenizerLoader.modelMaxLength(folder: tokenizerPath) : nil
        var options = jobOptions(maxLength: maxLength ?? folderMaxLength)
        if let numShards, let shardIndex { options.shard = (shardIndex, numShards) }
        if out == nil, let stream = named.first(where: { SpooledInput.isStream($0.path) }) {
            throw InputError("a pipe has no name to call the output after", at: SourceLocation(path: stream.path),
                             hint: "give --out FOLDER")
        }
        let output = out ?? Self.defaultOutput(for: named[0].path, shard: options.shard)
        let cache = noCache ? nil : DatasetCache.fromEnvironment()
        try OutputPolicy.checkFolder(output, kind: .dataset, inputs: named.map(\.path) + [tokenizerPath] + (cache.map { [$0.root] } ?? []))
        if !quiet.quiet {
            let defaults = [
                tokenizer.defaultNote(path: tokenizerPath),
                folderMaxLength.map { "max length \($0) from tokenizer_config.json's model_max_length (change with --max-length)" },
                out == nil ? "output \(output) (change with --out)" : nil,
            ].compactMap { $0 }
            if !defaults.isEmpty { print("using " + defaults.joined(separator: ", ")) }
        }
        let start = Date()
        // A pipe is copied beside the output first: the cache key digests an input before the job reads it.
        var spooled: [(split: String, file: SpooledInput)] = []
        defer { spooled.forEach { $0.file.remove() } }
        let scratchFolder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        for source in named { spooled.append((source.name, try SpooledInput(path: source.path, scratchFolder: scratchFolder))) }
        let run = TokenizeRun(inputs: spooled.map { (split: $0.split, path: $0.file.path) }, asCollection: files.asCollection, tokenizerPath: tokenizerPath,
                              options: options, ingestOptions: try input.ingestOptions()) { try TokenizerLoader.load(path: tokenizerPath) }
        let outcome = try run.run(out: output, cache: cache,
                                  ingestDescription: input.cacheDescription, quiet: quiet.quiet)
        guard !quiet.quiet else { return }
        TokenizeReportPrinter.print(outcome, output: output, tokenizer: tokenizerPath, explicit: (text.textColumn, label.labelColumn),
                                    seconds: Date().timeIntervalSince(start))
    }

    static func defaultOutput(for input: String, shard: (index: Int, count: Int)?) -> String {
        let url = URL(fileURLWithPath: input)
        var name = url.deletingPathExtension().lastPathComponent + "-tokens"
        if let shard { name += "-shard-\(shard.index)-of-\(shard.count)" }
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }
}

/// The end-of-run summary a person reads.
enum TokenizeReportPrinter {
    static func print(_ outcome: TokenizeRun.Outcome, output: String, tokenizer: String,
                      explicit: (text: String?, label: String?), seconds: Double) {
        for (split, report) in outcome.splits {
            let summary = report.summary
            Swift.print("\n\(outcome.splits.count == 1 ? "" : "[\(split)] ")text: \(report.textColumn)"
                + (report.textPairColumn.map { " + \($0) (pairs)" } ?? "")
                + (report.labelColumn.map { ", label: \($0)" + (report.regression ? " (float32 regression)" : " (\(report.classNames?.count ?? 0) classes)") } ?? ", no label")
                + (explicit.text == nil ? "  (change with --text-column / --label-column)" : ""))
            Swift.print(String(format: "rows %d, tokens %d (%.1f per row), unknown %.3f%%, truncated rows %d",
                               summary.rows, summary.tokens, summary.rows > 0 ? Double(summary.tokens) / Double(summary.rows) : 0,
                               summary.unknownRate * 100, summary.truncatedRows))
            Swift.print("length p50 \(summary.lengthPercentile(50)), p90 \(summary.lengthPercentile(90)), p95 \(summary.lengthPercentile(95)), p99 \(summary.lengthPercentile(99)), max \(max(summary.rowsByLength.count - 1, 0))")
            let histogram = summary.histogram()
            let largest = histogram.map(\.rows).max() ?? 0
            for bucket in histogram where largest > 0 {
                let bar = String(repeating: "█", count: Int((Double(bucket.rows) / Double(largest) * 40).rounded(.up)))
                Swift.print("  \(String(format: "%5d-%-5d", bucket.low, bucket.high)) \(String(bucket.rows).leftPadded(to: 8)) \(bar)")
            }
        }
        let rows = outcome.splits.reduce(0) { $0 + $1.report.summary.rows }
        let bytes = outcome.splits.reduce(0) { $0 + $1.report.summary.inputBytes }
        if outcome.cached, let key = outcome.cacheKey {
            Swift.print("\n\(output): \(rows) rows from the cache in \(Formatting.seconds(seconds)) (key \(key.prefix(12)))")
        } else {
            Swift.print(String(format: "\n%@: %d rows in %@ (%.0f rows/s, %.1f MB/s of text)", output, rows, Formatting.seconds(seconds),
                               Double(rows) / max(seconds, 1e-9), Double(bytes) / 1e6 / max(seconds, 1e-9)))
        }
    }
}
