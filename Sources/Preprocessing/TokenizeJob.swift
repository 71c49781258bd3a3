import Datasets
import DSPrepSupport
import Foundation
import Tokenizers

/// What `dsprep tokenize` does to one input file: stream it in batches, encode the text (and
/// text pair) column, encode the labels, and write token shards (`input_ids`, `token_type_ids`
/// for pairs, optional `attention_mask`, `labels`, `length`, and kept columns) as a dataset
/// folder. No padding: that is the collator's job at batch time. With `separatePairs` a pair's
/// texts are encoded each on its own, for a bi-encoder: `input_ids` and `pair_input_ids` (and
/// their masks), no `token_type_ids`, and `length` counting both.
///
/// Output is deterministic: rows are encoded in fixed groups of `rowsPerRecordBatch` (one
/// record batch each) on all cores, and written in input order, so the bytes do not depend on
/// the thread count.
public struct TokenizeJob: Sendable {
    public struct Options: Sendable {
        public var textColumn: String?
        public var textPairColumn: String?
        public var labelColumn: String?
        public var noLabel = false
        public var keepColumns: [String] = []
        public var attentionMask = false
        /// Encode the pair's second text apart from the first (`pair_input_ids`), not joined with it.
        public var separatePairs = false
        /// Truncate each row (or pair, longest first) to this many tokens, special tokens
        /// included; nil keeps the tokenizer file's own truncation.
        public var maxLength: Int?
        /// Process only shard `index` of `count` (contiguous row ranges; see `Table.shardRows`).
        public var shard: (index: Int, count: Int)?
        public var threads = ProcessInfo.processInfo.activeProcessorCount
        public var maxShardBytes = DatasetWriter.defaultMaxShardBytes

        public init() {}

        /// Everything above that changes the output, for cache keys.
        public var cacheDescription: String {
            jobDescription + " shard=\(shard.map { "\($0.index)/\($0.count)" } ?? "all")"
        }

        /// Everything that changes the output except which shard: what the shards of one job share.
        public var jobDescription: String {
            "text=\(textColumn ?? "auto") pair=\(textPairColumn ?? "auto") label=\(noLabel ? "none" : labelColumn ?? "auto") keep=\(keepColumns.joined(separator: ",")) mask=\(attentionMask) max_length=\(maxLength.map(String.init) ?? "file") shard_bytes=\(maxShardBytes)" + (separatePairs ? " pairs=separate" : "")
        }
    }

    public static let rowsPerRecordBatch = 1000

    public let tokenizer: any TextTokenizer
    public let options: Options
    public let ingestOptions: IngestOptions

    public init(tokenizer: any TextTokenizer, options: Options, ingestOptions: IngestOptions) {
        // --max-length replaces the tokenizer's own truncation; the same rule for every kind (HF's longest first)
        let truncation = options.maxLength.map { Truncation(maxLength: $0) }
        switch tokenizer {
        case let pipeline as Tokenizer:
            // Shards hold unpadded rows, as transformers' tokenizer(text) gives them (its padding is off
            // unless asked for): a tokenizer.json's padding would store pad ids as tokens the model attends.
            let unpadded = pipeline.withPadding(nil)
            self.tokenizer = truncation == nil ? unpadded : unpadded.withTruncation(truncation)
        case let sentencePiece as SentencePieceTokenizer where truncation != nil: self.tokenizer = sentencePiece.withTruncation(truncation)
        default: self.tokenizer = tokenizer
        }
        self.options = options
        self.ingestOptions = ingestOptions
    }

    /// What a run found, for the summary and for the caller's messages.
    public struct Result: Sendable {
        public var roles: ColumnRoles
        public var labels: LabelEncoding?
        public var summary: TokenizeSummary
    }

    /// Tokenizes `path` into a dataset folder at `folder` (all or nothing).
    /// Reads the file twice: the reader's first pass (which also collects the label column's
    /// values), then the rows.
    public func run(path: String, into folder: String, split: String?, progress: ProgressBar?) throws -> Result {
        let reader = try TabularReader(path: path, options: ingestOptions, gathering: FirstPassRequest(distinctCellsOf: Self.labelCandidates(options)))
        let roles = try Self.resolveRoles(schema: reader.schema, options: options, path: path)
        let labels = try roles.label.map { try LabelScan.encoding(of: reader.distinctCells, column: $0, schema: reader.schema, path: path) }
        let rows = options.shard.map { Table.shardRange(count: reader.rowCount, numShards: $0.count, index: $0.index) } ?? 0..<reader.rowCount
        return try write(reader, rows: rows, firstRowNumber: 0, roles: roles, labels: labels, into: folder, split: split, progress: progress)
    }

    /// The columns that may turn out to be the label (`ColumnRoles.resolve`): the one the options
    /// name, else any named as labels are; none with `noLabel`.
    static func labelCandidates(_ options: Options) -> (String) -> Bool {
        if options.noLabel { return { _ in false } }
        if let label = options.labelColumn { return { $0 == label } }
        return { ColumnRoles.labelNames.contains($0.lowercased()) }
    }

    /// The text, pair and label columns of `schema` (the options' or found by name), checked
    /// along with the kept columns.
    public static func resolveRoles(schema: Schema, options: Options, path: String) throws -> ColumnRoles {
        let roles = try ColumnRoles.resolve(
            schema: schema, text: options.textColumn, textPair: options.textPairColumn,
            label: options.labelColumn, labelDisabled: options.noLabel, path: path)
        for name in options.keepColumns where schema.index(of: name) == nil {
            throw InputError("no column named '\(name)' to keep", at: SourceLocation(path: path),
                             hint: "columns: \(schema.names.joined(separator: ", "))")
        }
        // Kept columns sit beside the token columns: a clash would write a dataset no reader can open.
        let produced = ["input_ids", "token_type_ids", "attention_mask", "pair_input_ids", "pair_attention_mask", "labels", "length"]
        if let name = Schema((options.keepColumns + produced).map { Field($0, .string) }).duplicateName {
            throw InputError("--keep-column \(name) clashes with \(produced.contains(name) ? "an output column of that name" : "another --keep-column \(name)")",
                             hint: "keep each column once, and rename an input column named like an output column first (dsprep dataset rename)")
        }
        if options.separatePairs && roles.textPair == nil {
            throw InputError("--pair-encoding separate needs a second text, but no text pair column was found", at: SourceLocation(path: path),
                             hint: "name it with --text-pair-column (columns: \(schema.names.joined(separator: ", ")))")
        }
        for (role, name) in [("text", roles.text), ("text pair", roles.textPair)] {
            if let name, let field = schema.fields.first(where: { $0.name == name }), field.type != .string, field.type != .largeString {
                throw InputError("the \(role) column '\(name)' holds \(field.type), not text", at: SourceLocation(path: path),
                                 hint: "force it with --column \(name):string")
            }
        }
        return roles
    }

    /// Tokenizes `rows` (counted from the reader's first row) of what `reader` reads into a
    /// dataset folder at `folder`; a plan's shard passes a segment reader and all its rows.
    /// Record batches end where the whole input's do, on multiples of `rowsPerRecordBatch`
    /// counted from the input's first row; the reader's first row is the input's row
    /// `firstRowNumber` (a segment's first row, 0 for a whole file). A shard then holds the
    /// single run's batches, except at its two ends, and `dsprep merge` copies them instead of
    /// encoding them again.
    public func write(_ reader: TabularReader, rows: Range<Int>, firstRowNumber: Int, roles: ColumnRoles, labels: LabelEncoding?,
                      into folder: String, split: String?, progress: ProgressBar?) throws -> Result {
        // A limit the special tokens alone fill would truncate nothing (HF does the same): refuse it.
        if let maxLength = options.maxLength, let pipeline = tokenizer as? Tokenizer,
           let added = pipeline.postProcessor?.addedTokenCount(isPair: roles.textPair != nil), maxLength <= added {
            throw InputError("--max-length \(maxLength) leaves no room for text: the tokenizer adds \(added) special tokens to every row",
                             hint: "give --max-length at least \(added + 1)")
        }
        let unknownID = ["[UNK]", "<unk>"].lazy.compactMap { tokenizer.id(of: $0) }.first
        let layout = OutputLayout(input: reader.schema, roles: roles, labels: labels, unknownID: unknownID, options: options)
        let writer = try DatasetWriter(path: folder, schema: layout.schema, features: layout.features, split: split,
                                       maxShardBytes: options.maxShardBytes)
        var summary = TokenizeSummary()
        var position = 0
        let perBatch = Self.rowsPerRecordBatch
        // reads end on the grid too, so that no batch is cut in two by a read
        let offGrid = firstRowNumber % perBatch
        while position < rows.upperBound, let batch = try reader.nextBatch(maxRows: perBatch * 64 - (position == 0 ? offGrid : 0)) {
            defer { position += batch.count }
            let wanted = max(rows.lowerBound, position)..<min(rows.upperBound, position + batch.count)
            guard !wanted.isEmpty else { continue }
            let local = (wanted.lowerBound - position)..<(wanted.upperBound - position)
            // group ends: the next multiple of perBatch in the input's row numbers, then every perBatch rows
            let toGrid = perBatch - (firstRowNumber + position + local.lowerBound) % perBatch
            let ends = stride(from: local.lowerBound + toGrid, to: local.upperBound, by: perBatch).map { $0 } + [local.upperBound]
            let groups = zip([local.lowerBound] + ends.dropLast(), ends).map { $0..<$1 }
            let encoded = try encodeGroups(groups, of: batch, layout: layout)
            for (output, groupSummary) in encoded {
                try writer.write(output)
                summary.merge(groupSummary)
                progress?.advance(by: output.count)
            }
        }
        try writer.finish()
        return Result(roles: roles, labels: labels, summary: summary)
    }

    /// Encodes groups of rows of one input batch in parallel; results in group order.
    private func encodeGroups(_ groups: [Range<Int>], of batch: RecordBatch, layout: OutputLayout) throws -> [(RecordBatch, TokenizeSummary)] {
        try Parallel.map(groups.count, threads: options.threads) { try encodeGroup(groups[$0], of: batch, layout: layout) }
    }

    private func encodeGroup(_ rows: Range<Int>, of batch: RecordBatch, layout: OutputLayout) throws -> (RecordBatch, TokenizeSummary) {
        var builders = layout.builders(capacity: rows.count)
        var summary = TokenizeSummary()
        let text = batch.columns[layout.textIndex]
        let pair = layout.pairIndex.map { batch.columns[$0] }
        let label = layout.labelIndex.map { batch.columns[$0] }
        var encoder = RowEncoder(tokenizer, pairs: pair != nil && !layout.separatePairs)
        func unknownCount(_ ids: [Int32]) -> Int { layout.unknownID.map { id in ids.reduce(0) { $0 + ($1 == id ? 1 : 0) } } ?? 0 }
        for row in rows {
            summary.inputBytes += text.valueLength(row) + (pair?.valueLength(row) ?? 0)
            // A null text encodes as an empty one. Pairs encoded apart: the second text first, kept aside.
            var pairIds: [Int32]?, pairTruncated = false
            if layout.separatePairs, let pair {
                try encoder.encode(pair.stringBytes(row), pair: nil)
                (pairIds, pairTruncated) = (encoder.ids, encoder.truncated)
            }
            try encoder.encode(text.stringBytes(row), pair: layout.separatePairs ? nil : pair.map { $0.stringBytes(row) })
            summary.record(length: encoder.ids.count + (pairIds?.count ?? 0), unknown: unknownCount(encoder.ids) + unknownCount(pairIds ?? []),
                           truncated: encoder.truncated || pairTruncated)
            try builders.append(ids: encoder.ids, typeIds: encoder.typeIds, pairIds: pairIds, row: row, of: batch, label: label, layout: layout)
        }
        return (builders.finish(layout), summary)
    }
}

/// Output columns of a tokenize job and where their inputs are.
struct OutputLayout {
    let schema: Schema
    let features: Features
    let keptIndices: [Int]
    let textIndex: Int
    let pairIndex: Int?
    let labelIndex: Int?
    let labels: LabelEncoding?
    let labelIDs: [String: Int64]
    let attentionMask: Bool
    /// The pair's texts are encoded apart (`pair_input_ids`); false without a pair column.
    let separatePairs: Bool
    let unknownID: Int32?

    init(input: Schema, roles: ColumnRoles, labels: LabelEncoding?, unknownID: Int32?, options: TokenizeJob.Options) {
        keptIndices = options.keepColumns.compactMap { input.index(of: $0) }
        textIndex = input.index(of: roles.text) ?? 0
        pairIndex = roles.textPair.flatMap { input.index(of: $0) }
        labelIndex = roles.label.flatMap { input.index(of: $0) }
        self.labels = labels
        labelIDs = labels?.ids ?? [:]
        attentionMask = options.attentionMask
        separatePairs = options.separatePairs && pairIndex != nil
        self.unknownID = unknownID
        var entries: [(name: String, feature: Feature)] = keptIndices.map {
            (input.fields[$0].name, Feature(inferredFrom: input.fields[$0].type))
        }
        // per sequence, in `OutputBuilders.append`'s order: ids, a joint pair's types, the mask
        for prefix in separatePairs ? ["", "pair_"] : [""] {
            entries.append((prefix + "input_ids", .list(.value(.int32))))
            if pairIndex != nil && !separatePairs { entries.append(("token_type_ids", .list(.value(.int8)))) }
            if options.attentionMask { entries.append((prefix + "attention_mask", .list(.value(.int8)))) }
        }
        switch labels {
        case .classes(let names)?: entries.append(("labels", .classLabel(names: names)))
        case .regression?: entries.append(("labels", .value(.float32)))
        case nil: break
        }
        entries.append(("length", .value(.int32)))
        features = Features(entries)
        schema = Schema(entries.map { Field($0.name, $0.feature.dataType) })
    }

    func builders(capacity: Int) -> OutputBuilders {
        OutputBuilders(columns: schema.fields.map { ColumnBuilder($0.type, capacity: capacity) })
    }
}

/// Column builders of one output record batch, in the layout's column order.
struct OutputBuilders {
    var columns: [ColumnBuilder]

    /// `pairIds`: the second text's ids when the layout encodes pairs apart.
    mutating func append(ids: [Int32], typeIds: [Int32], pairIds: [Int32]?, row: Int, of batch: RecordBatch, label: Column?,
                         layout: OutputLayout) throws {
        var index = 0
        for kept in layout.keptIndices {
            columns[index].append(from: batch.columns[kept], row: row)
            index += 1
        }
        for sequence in [ids] + (pairIds.map { [$0] } ?? []) {
            columns[index].appendList(sequence)
            index += 1
            if layout.pairIndex != nil && !layout.separatePairs {
                columns[index].appendList(typeIds.map { Int8(truncatingIfNeeded: $0) })
                index += 1
            }
            if layout.attentionMask {
                // No padding in the shards: every position is attended.
                columns[index].appendList([Int8](repeating: 1, count: sequence.count))
                index += 1
            }
        }
        if let label, let labels = layout.labels {
            try labels.append(label, row: row, to: &columns[index], ids: layout.labelIDs)
            index += 1
        }
        columns[index].append(Int64(ids.count + (pairIds?.count ?? 0)))
    }

    func finish(_ layout: OutputLayout) -> RecordBatch {
        RecordBatch(schema: layout.schema, columns: columns.map { $0.finish() })
    }
}
