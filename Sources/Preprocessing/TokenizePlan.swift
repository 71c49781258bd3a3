import Datasets
import DSPrepSupport
import Foundation

/// A tokenize job worked out once for K shard processes (`dsprep tokenize --plan-out`), so that
/// each shard (`--plan P --shard-index I`) reads only its own bytes of the input.
///
/// Making the plan reads each input once (`PlannedInput`): its schema and column roles, label
/// names, row count, and each shard's rows, byte range and digest. A shard checks its bytes (and
/// the file's size and the tokenizer's digest), maps only its range and tokenizes it with the
/// schema, column roles and labels written here, so its rows are exactly those of
/// `--num-shards K --shard-index I`, and `dsprep merge` of all K gives a single run's bytes.
public struct TokenizePlan: PlanFile, Sendable {
    public static let formatVersion = 2
    public static let kind = "tokenize plan"

    public var version = Self.formatVersion
    /// One per input, in the order given; every split is cut into `numShards` shards, and shard I
    /// of the job is shard I of every split (as `--num-shards` does for several inputs).
    public var splits: [PlannedSplit]
    /// Whether the output is a split collection (several inputs, or `--split` given), as a single run decides.
    public var asCollection: Bool
    public var numShards: Int
    /// The files the tokenizer loads (the file given, or the folder's tokenizer files), digested.
    public var tokenizerFiles: [PlannedFile]
    public var tokenizerPath: String
    public var ingest: PlannedIngest
    public var keepColumns: [String]
    public var attentionMask: Bool
    /// `--pair-encoding separate` (absent: joint)
    public var separatePairs: Bool?
    public var maxLength: Int?
    public var maxShardBytes: Int

    public static func makeCommand(_ path: String) -> String { "dsprep tokenize INPUT --plan-out \(path) --num-shards K" }

    /// What the plan found in one input.
    public struct PlannedSplit: Codable, Sendable {
        public var name: String
        public var input: PlannedInput
        public var textColumn: String
        public var textPairColumn: String?
        public var labelColumn: String?
        /// Class names for a ClassLabel, nil for scores or no label.
        public var classNames: [String]?
        public var regression: Bool

        public var labels: LabelEncoding? {
            if regression { return .regression }
            return classNames.map { .classes(names: $0) }
        }

        public var roles: ColumnRoles { ColumnRoles(text: textColumn, textPair: textPairColumn, label: labelColumn) }
    }

    public struct PlannedFile: Codable, Sendable {
        public var path: String
        public var size: Int
        public var digest: String
    }

    /// The job options the plan fixes for `split` (the thread count is the shard process's own).
    public func jobOptions(for split: PlannedSplit, threads: Int) -> TokenizeJob.Options {
        var options = TokenizeJob.Options(
            textColumn: split.textColumn, textPairColumn: split.textPairColumn, labelColumn: split.labelColumn,
            noLabel: split.labelColumn == nil, keepColumns: keepColumns, attentionMask: attentionMask,
            separatePairs: separatePairs ?? false, maxLength: maxLength, threads: threads)
        options.maxShardBytes = maxShardBytes
        return options
    }

    // MARK: - Making a plan

    /// Plans `numShards` shards of each input. `tokenizerPath` is digested, not loaded (the
    /// caller loads it once to fail early on a bad one).
    public static func make(inputs: [(split: String, path: String)], asCollection: Bool, tokenizerPath: String,
                            options: TokenizeJob.Options, ingestOptions: IngestOptions, numShards: Int) throws -> TokenizePlan {
        TokenizePlan(
            splits: try inputs.map { try planSplit($0.split, path: $0.path, options: options, ingestOptions: ingestOptions, numShards: numShards) },
            asCollection: asCollection, numShards: numShards,
            tokenizerFiles: try tokenizerFiles(tokenizerPath).map {
                PlannedFile(path: $0, size: try PlannedInput.fileSize($0), digest: try FileDigest.of(path: $0))
            },
            tokenizerPath: URL(fileURLWithPath: tokenizerPath).standardizedFileURL.path,
            ingest: PlannedIngest(ingestOptions),
            keepColumns: options.keepColumns, attentionMask: options.attentionMask,
            separatePairs: options.separatePairs ? true : nil, maxLength: options.maxLength,
            maxShardBytes: options.maxShardBytes)
    }

    /// Reads one input once: its schema, rows, shard ranges and the label column's values.
    static func planSplit(_ name: String, path: String, options: TokenizeJob.Options, ingestOptions: IngestOptions,
                          numShards: Int) throws -> PlannedSplit {
        let (input, distinctCells) = try PlannedInput.plan(path, ingestOptions: ingestOptions, numShards: numShards,
                                                           distinctCellsOf: TokenizeJob.labelCandidates(options))
        let schema = Schema(input.schema)
        let roles = try TokenizeJob.resolveRoles(schema: schema, options: options, path: path)
        let labels = try roles.label.map { try LabelScan.encoding(of: distinctCells, column: $0, schema: schema, path: path) }
        var classNames: [String]?
        if case .classes(let names)? = labels { classNames = names }
        return PlannedSplit(name: name, input: input, textColumn: roles.text, textPairColumn: roles.textPair, labelColumn: roles.label,
                            classNames: classNames, regression: labels == .regression)
    }

    /// The tokenizer's files, as the cache key and the job record digest them (a model folder's
    /// tokenizer files, not its weights).
    static func tokenizerFiles(_ path: String) throws -> [String] {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw InputError("no such file", at: SourceLocation(path: path), hint: "--tokenizer takes a tokenizer.json, a vocab.txt or a sentencepiece .model")
        }
        return TokenizeRun.tokenizerFiles(of: absolute)
    }

    // MARK: - Checking

    /// Throws, naming the file, when a tokenizer file differs from what was planned.
    func checkTokenizer() throws {
        for file in tokenizerFiles {
            let size = try? PlannedInput.fileSize(file.path)
            guard size == file.size, (try? FileDigest.of(path: file.path)) == file.digest else {
                throw PlannedInput.changed(file.path, detail: size.map { "\($0) bytes, planned \(file.size)" } ?? "missing")
            }
        }
    }
}

extension TokenizeJob.Options {
    /// The options a user chooses, in one call (the command line and a plan both build them).
    public init(textColumn: String?, textPairColumn: String?, labelColumn: String?, noLabel: Bool, keepColumns: [String],
                attentionMask: Bool, separatePairs: Bool, maxLength: Int?, threads: Int) {
        self.init()
        self.textColumn = textColumn
        self.textPairColumn = textPairColumn
        self.labelColumn = labelColumn
        self.noLabel = noLabel
        self.keepColumns = keepColumns
        self.attentionMask = attentionMask
        self.separatePairs = separatePairs
        self.maxLength = maxLength
        self.threads = threads
    }
}
