import Datasets
import DSPrepSupport
import Foundation
import Tokenizers

/// One `dsprep tokenize` invocation: one or several inputs (splits) → one dataset folder or a
/// split collection, through the content-addressed cache.
///
/// The cache key covers the bytes of every input and of the tokenizer file, every option that
/// changes the output, and dsprep's format version. A warm run finds the entry (verified, see
/// `DatasetCache`), copies its files into the output folder (a reflink where possible: the output
/// shares nothing an edit could reach) and reprints the stored summary; when the output folder
/// already holds that result, unchanged, it is left as is.
public struct TokenizeRun {
    public var inputs: [(split: String, path: String)]
    /// True when the inputs form a split collection (several inputs or --split given).
    public var asCollection: Bool
    public var tokenizerPath: String
    public var options: TokenizeJob.Options
    public var ingestOptions: IngestOptions
    /// Loads the tokenizer; called only when the cache cannot answer.
    public var loadTokenizer: () throws -> any TextTokenizer

    public init(inputs: [(split: String, path: String)], asCollection: Bool, tokenizerPath: String, options: TokenizeJob.Options,
                ingestOptions: IngestOptions, loadTokenizer: @escaping () throws -> any TextTokenizer) {
        self.inputs = inputs
        self.asCollection = asCollection
        self.tokenizerPath = tokenizerPath
        self.options = options
        self.ingestOptions = ingestOptions
        self.loadTokenizer = loadTokenizer
    }

    public struct Outcome {
        public var cached: Bool
        /// Per split: what the job found and measured (stored with the cache entry).
        public var splits: [(split: String, report: TokenizeReport)]
        /// nil without a cache: the key digests every input, a read of its own.
        public var cacheKey: String?
    }

    public static let summaryFile = "dsprep-tokenize-summary.json"
    public static let keyFile = ".dsprep-cache-key"

    public func cacheKey(ingest: String, cache: DatasetCache?) throws -> String {
        var key = CacheKey(operation: "tokenize")
        key.add("collection", "\(asCollection)")
        for (split, path) in inputs {
            key.add("split", split)
            try key.addFile(path, digestsIn: cache)
        }
        for file in try TokenizerPath(tokenizerPath).files { try key.addFile(file, digestsIn: cache) }
        key.add("job", options.cacheDescription)
        key.add("ingest", ingest)
        return key.value
    }

    /// The files the tokenizer at `tokenizerPath` is loaded from (`TokenizerPath.files`), for a
    /// plan's digests; the path itself when it names none, so that digesting it says what is wrong.
    static func tokenizerFiles(of tokenizerPath: String) -> [String] {
        (try? TokenizerPath(tokenizerPath).files) ?? [tokenizerPath]
    }

    /// Runs (or reuses) the job and places the result at `out`.
    public func run(out: String, cache: DatasetCache?, ingestDescription: String, quiet: Bool) throws -> Outcome {
        guard let cache else {
            let splits = try AtomicOutput.writeDirectory(at: out, kind: .dataset) { try build(into: $0, quiet: quiet) }
            return Outcome(cached: false, splits: splits, cacheKey: nil)
        }
        let key = try cacheKey(ingest: ingestDescription, cache: cache)
        let stored = cache.verifiedEntry(key)
        // `out` already holds this result and nothing in it changed since it was copied: keep it.
        if let stored, let files = cache.manifest(of: stored),
           (try? String(contentsOfFile: out + "/" + Self.keyFile, encoding: .utf8)) == key,
           cache.changedFile(in: out, against: files) == nil {
            return Outcome(cached: true, splits: try Self.readSummary(stored), cacheKey: key)
        }
        var built: [(split: String, report: TokenizeReport)]?
        let entry = try stored ?? cache.entry(for: key, description: "tokenize \(inputs.map(\.path).joined(separator: " ")) with \(tokenizerPath)") { folder in
            built = try build(into: folder, quiet: quiet)
        }
        try AtomicOutput.writeDirectory(at: out, kind: .dataset) { folder in
            try cache.copyEntry(entry, to: folder)
            try Data(key.utf8).write(to: URL(fileURLWithPath: folder + "/" + Self.keyFile))
        }
        // The copies hold the stored bytes: remembering their digests makes the next warm check a stat per file.
        for (name, digest) in cache.manifest(of: entry) ?? [:] { cache.remember(digest, of: out + "/" + name) }
        return Outcome(cached: built == nil, splits: try built ?? Self.readSummary(entry), cacheKey: key)
    }

    private func build(into folder: String, quiet: Bool) throws -> [(split: String, report: TokenizeReport)] {
        let job = TokenizeJob(tokenizer: try loadTokenizer(), options: options, ingestOptions: ingestOptions)
        var reports: [(split: String, report: TokenizeReport)] = []
        for (split, path) in inputs {
            let target = folder + "/" + (asCollection ? split : Self.singleDatasetFolder)
            let progress = ProgressBar("tokenize \(URL(fileURLWithPath: path).lastPathComponent)", quiet: quiet)
            let start = Date()
            let result = try job.run(path: path, into: target, split: asCollection ? split : nil, progress: progress)
            progress.finish()
            reports.append((split, TokenizeReport(result, seconds: Date().timeIntervalSince(start))))
        }
        if asCollection {
            try DatasetDict.writeSplitList(inputs.map(\.split), in: folder)
        } else {
            try Self.liftSingleDataset(in: folder)
        }
        try Self.writeSummary(in: folder, tokenizerPath: tokenizerPath, options: options, inputs: inputs.count,
                              shard: options.shard.map { ($0.index, $0.count) }, reports: reports)
        return reports
    }

    /// Writes `summaryFile` into a tokenize output: the tokenizer (for `dsprep inspect`), each
    /// split's report, and the job record `dsprep merge` checks shards against. Planned shards
    /// (`tokenize --plan`) write it too, so they merge under the same checks.
    public static func writeSummary(in folder: String, tokenizerPath: String, options: TokenizeJob.Options, inputs: Int,
                                    shard: (index: Int, count: Int)?, reports: [(split: String, report: TokenizeReport)]) throws {
        let record = JobRecord(tokenizerDigest: try tokenizerDigest(of: tokenizerPath),
                               options: options.jobDescription, inputs: inputs, shardIndex: shard?.index, shardCount: shard?.count)
        let summary = Summary(tokenizer: URL(fileURLWithPath: tokenizerPath).standardizedFileURL.path,
                              splits: reports.map { SplitReport(split: $0.split, report: $0.report) }, job: record)
        try Data((try JSONValueEncoder().text(summary) + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/" + summaryFile))
    }

    /// Where a single dataset is written inside the output being built, before `liftSingleDataset`.
    static let singleDatasetFolder = "dataset"

    /// A single dataset lives at the top of the output folder: moves its files up from `singleDatasetFolder`.
    static func liftSingleDataset(in folder: String) throws {
        let inner = folder + "/" + singleDatasetFolder
        for name in try FileManager.default.contentsOfDirectory(atPath: inner) {
            try FileManager.default.moveItem(atPath: inner + "/" + name, toPath: folder + "/" + name)
        }
        try FileManager.default.removeItem(atPath: inner)
    }

    /// The content digest of a tokenizer's files, as the job record keeps it.
    static func tokenizerDigest(of path: String) throws -> String {
        try TokenizerPath(path).files.map(DatasetCache.computeDigest).joined(separator: "+")
    }

    /// What `summaryFile` holds: the tokenizer used (so `dsprep inspect` can decode ids) and each split's report.
    private struct Summary: Codable {
        var tokenizer: String
        var splits: [SplitReport]
        var job: JobRecord?
    }

    /// What `dsprep merge` checks of each shard folder: one tokenizer, one set of options, and
    /// the shard's place among its job's shards.
    public struct JobRecord: Codable, Equatable, Sendable {
        public var tokenizerDigest: String
        public var options: String
        public var inputs: Int
        public var shardIndex: Int?
        public var shardCount: Int?
    }

    /// The job record of the tokenize run that wrote `folder` (or its parent collection), if it was one.
    public static func recordedJob(in folder: String) -> JobRecord? { recordedSummary(in: folder)?.job }

    /// The summary of the tokenize run that wrote `folder`, or its parent collection's: the nearest
    /// summary file decides, and one that cannot be read gives nil (not the parent's, which
    /// describes another folder).
    private static func recordedSummary(in folder: String) -> Summary? {
        for candidate in [folder, URL(fileURLWithPath: folder).deletingLastPathComponent().path] {
            if let data = FileManager.default.contents(atPath: candidate + "/" + summaryFile) {
                return try? JSONValueDecoder().decode(Summary.self, from: data, path: candidate + "/" + summaryFile)
            }
        }
        return nil
    }

    private struct SplitReport: Codable {
        var split: String
        var report: TokenizeReport
    }

    private static func readSummary(_ entry: String) throws -> [(split: String, report: TokenizeReport)] {
        let path = entry + "/" + summaryFile
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONValueDecoder().decode(Summary.self, from: data, path: path).splits.map { ($0.split, $0.report) }
    }

    /// The summary file for a dataset that `dsprep dataset ...` derives from `sources`, so that
    /// `dsprep train` and `inspect` still know its tokenizer: the sources' tokenizer and digest,
    /// without split reports (they count the sources' rows) or a shard place (it is no tokenize
    /// shard, so `merge` refuses it). Empty when a source records no tokenizer; an error when two
    /// sources record different tokenizers, whose ids mean different pieces.
    public static func derivedSummaryFile(of sources: [String]) throws -> [String: Data] {
        let summaries = sources.map(recordedSummary(in:))
        guard let first = summaries.first ?? nil else { return [:] }
        var derived = Summary(tokenizer: first.tokenizer, splits: [], job: first.job)
        derived.job?.shardIndex = nil
        derived.job?.shardCount = nil
        for (path, summary) in zip(sources, summaries) {
            guard let summary else { return [:] }
            // by content where both recorded a digest (copies of one file match), else by path
            let same = summary.job.flatMap { job in first.job.map { $0.tokenizerDigest == job.tokenizerDigest } }
                ?? (summary.tokenizer == first.tokenizer)
            if !same {
                throw InputError("it was tokenized with \(summary.tokenizer), but \(sources[0]) with \(first.tokenizer)",
                                 at: SourceLocation(path: path), hint: "concatenate datasets of one tokenizer only")
            }
        }
        return [summaryFile: Data((try JSONValueEncoder().text(derived) + "\n").utf8)]
    }

    /// The tokenizer path recorded by the run that wrote `folder` (or its parent collection).
    public static func recordedTokenizerPath(in folder: String) -> String? { recordedSummary(in: folder)?.tokenizer }

    /// The tokenizer recorded in `folder` by the tokenize run that wrote it, and whether its files
    /// still have the digest they had then (false when they changed or are gone).
    public static func recordedTokenizer(in folder: String) -> (path: String, unchanged: Bool)? {
        guard let summary = recordedSummary(in: folder) else { return nil }
        let path = summary.tokenizer
        let current = try? tokenizerDigest(of: path)
        return (path, current != nil && current == summary.job?.tokenizerDigest)
    }
}

/// A split's result as printed and as stored with the cache entry.
public struct TokenizeReport: Codable, Sendable {
    public var textColumn: String
    public var textPairColumn: String?
    public var labelColumn: String?
    /// Class names, or nil for regression / no label.
    public var classNames: [String]?
    public var regression: Bool
    public var summary: TokenizeSummary
    public var seconds: Double

    init(_ result: TokenizeJob.Result, seconds: Double) {
        textColumn = result.roles.text
        textPairColumn = result.roles.textPair
        labelColumn = result.roles.label
        if case .classes(let names)? = result.labels { classNames = names } else { classNames = nil }
        regression = result.labels == .regression
        summary = result.summary
        self.seconds = seconds
    }
}
