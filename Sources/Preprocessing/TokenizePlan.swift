import Datasets
import DSPrepSupport
import Foundation

/// A tokenize job worked out once for K shard processes (`dsprep tokenize --plan-out`), so that
/// each shard (`--plan P --shard-index I`) reads only its own bytes of the input.
///
/// Making the plan reads the input the way a single run starts (UTF-8 check, schema and row
/// count), then converts the rows once more, which finds the label names and, at each shard's
/// first row (HF's contiguous ranges, `Table.shardRows`), the byte offset where it starts, and
/// digests each shard's bytes on the way. A shard maps only its byte range, checks its digest
/// (and the file's size and the tokenizer's digest) and tokenizes it with the schema, column
/// roles and labels written here, so its rows are exactly those of
/// `--num-shards K --shard-index I`, and `dsprep merge` of all K gives a single run's bytes.
public struct TokenizePlan: Codable, Sendable {
    public static let formatVersion = 1

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
    public var maxLength: Int?
    public var maxShardBytes: Int

    /// What the plan found in one input.
    public struct PlannedSplit: Codable, Sendable {
        public var name: String
        public var input: PlannedFile
        public var schema: [Field]
        public var textColumn: String
        public var textPairColumn: String?
        public var labelColumn: String?
        /// Class names for a ClassLabel, nil for scores or no label.
        public var classNames: [String]?
        public var regression: Bool
        public var rowCount: Int
        public var shards: [PlannedShard]

        public var labels: LabelEncoding? {
            if regression { return .regression }
            return classNames.map { .classes(names: $0) }
        }

        public var roles: ColumnRoles { ColumnRoles(text: textColumn, textPair: textPairColumn, label: labelColumn) }
    }

    public struct PlannedFile: Codable, Sendable {
        public var path: String
        public var size: Int
        /// For the input: a digest of the shards' digests (each covers its byte range).
        public var digest: String
    }

    /// How the input is read, as the user gave it (resolved again for the same path).
    public struct PlannedIngest: Codable, Sendable {
        public var format: String?
        public var delimiter: UInt8?
        public var quoting: Bool?
        public var hasHeader: Bool

        var options: IngestOptions {
            IngestOptions(format: format.flatMap(IngestFormat.init(rawValue:)), delimiter: delimiter, quoting: quoting, hasHeader: hasHeader)
        }
    }

    public struct PlannedShard: Codable, Sendable {
        public var index: Int
        public var firstRow: Int
        public var rows: Int
        /// The bytes the shard maps and digests: the shards' ranges cover the file without gaps
        /// (the first from byte 0, so the header counts; the last to the end).
        public var byteStart: Int
        public var byteEnd: Int
        /// Where its first record starts (after the header for shard 0).
        public var dataStart: Int
        public var digest: String
    }

    /// The job options the plan fixes for `split` (the thread count is the shard process's own).
    public func jobOptions(for split: PlannedSplit, threads: Int) -> TokenizeJob.Options {
        var options = TokenizeJob.Options(
            textColumn: split.textColumn, textPairColumn: split.textPairColumn, labelColumn: split.labelColumn,
            noLabel: split.labelColumn == nil, keepColumns: keepColumns, attentionMask: attentionMask, maxLength: maxLength, threads: threads)
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
            tokenizerFiles: try tokenizerFiles(tokenizerPath).map { PlannedFile(path: $0, size: try fileSize($0), digest: try FileDigest.of(path: $0)) },
            tokenizerPath: URL(fileURLWithPath: tokenizerPath).standardizedFileURL.path,
            ingest: PlannedIngest(format: ingestOptions.format?.rawValue, delimiter: ingestOptions.delimiter,
                                  quoting: ingestOptions.quoting, hasHeader: ingestOptions.hasHeader),
            keepColumns: options.keepColumns, attentionMask: options.attentionMask, maxLength: options.maxLength,
            maxShardBytes: options.maxShardBytes)
    }

    /// Reads one input: its schema and roles, then its rows once for labels, shard offsets and digests.
    static func planSplit(_ name: String, path: String, options: TokenizeJob.Options, ingestOptions: IngestOptions,
                          numShards: Int) throws -> PlannedSplit {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if SpooledInput.isStream(path) {
            throw InputError("a pipe cannot be planned: every shard reads the file again", at: SourceLocation(path: path),
                             hint: "write it to a file on storage every node sees first")
        }
        let reader = try TabularReader(path: absolute, options: ingestOptions)
        if reader.format == .json {
            throw InputError("a JSON array cannot be split into shards that seek", at: SourceLocation(path: path),
                             hint: "convert it to JSON Lines (one object per line), e.g. jq -c '.[]' in.json > in.jsonl")
        }
        let roles = try TokenizeJob.resolveRoles(schema: reader.schema, options: options, path: path)
        var labelScan = try roles.label.map { try LabelScan(schema: reader.schema, column: $0, path: path) }

        // One pass over the rows: labels, shard offsets, and each shard's digest (fed by the reader).
        final class Digests {
            var hashers: [ContentHasher]
            var current = 0
            init(_ count: Int) { hashers = Array(repeating: ContentHasher(), count: count) }
        }
        let digests = Digests(numShards)
        let dataStart = reader.bytesRead
        reader.withBytes(0..<dataStart) { digests.hashers[0].update($0) }
        reader.onConsumed = { digests.hashers[digests.current].update($0) }
        var shards: [PlannedShard] = []
        var firstRow = 0, byteStart = 0
        for index in 0..<numShards {
            let rows = Table.shardRows(count: reader.rowCount, numShards: numShards, index: index).count
            digests.current = index
            while reader.rowsRead < firstRow + rows, let batch = try reader.nextBatch(maxRows: min(1 << 16, firstRow + rows - reader.rowsRead)) {
                try labelScan?.add(batch, lines: reader.batchLines)
            }
            if index == numShards - 1 {
                // Past the last row: trailing blank lines belong to the last shard.
                while try reader.nextBatch(maxRows: 1) != nil {}
            }
            let byteEnd = index == numShards - 1 ? reader.byteCount : reader.bytesRead
            if index == numShards - 1, reader.bytesRead < byteEnd {
                reader.withBytes(reader.bytesRead..<byteEnd) { digests.hashers[index].update($0) }
            }
            digests.hashers[index].update(byteEnd - byteStart)
            shards.append(PlannedShard(index: index, firstRow: firstRow, rows: rows, byteStart: byteStart, byteEnd: byteEnd,
                                       dataStart: index == 0 ? dataStart : byteStart, digest: digests.hashers[index].hexDigest))
            firstRow += rows
            byteStart = byteEnd
        }
        let labels = try labelScan?.encoding()
        var whole = ContentHasher()
        for shard in shards { whole.update(shard.digest) }
        whole.update(reader.byteCount)

        var classNames: [String]?
        if case .classes(let names)? = labels { classNames = names }
        return PlannedSplit(
            name: name, input: PlannedFile(path: absolute, size: reader.byteCount, digest: whole.hexDigest),
            schema: reader.schema.fields, textColumn: roles.text, textPairColumn: roles.textPair, labelColumn: roles.label,
            classNames: classNames, regression: labels == .regression, rowCount: reader.rowCount, shards: shards)
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

    static func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    // MARK: - Reading and checking

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicOutput.writeFile(try encoder.encode(self), to: path)
    }

    public static func read(from path: String) throws -> TokenizePlan {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError("cannot read the plan", at: SourceLocation(path: path), hint: "make it with dsprep tokenize INPUT --plan-out \(path) --num-shards K")
        }
        let plan: TokenizePlan
        do { plan = try JSONDecoder().decode(TokenizePlan.self, from: data) } catch {
            throw InputError("not a tokenize plan: \(error)", at: SourceLocation(path: path), hint: "make it with dsprep tokenize INPUT --plan-out \(path) --num-shards K")
        }
        guard plan.version == formatVersion else {
            throw InputError("plan format \(plan.version); this dsprep reads format \(formatVersion)", at: SourceLocation(path: path),
                             hint: "make the plan again with this dsprep binary")
        }
        return plan
    }

    /// Throws, naming the file, when a tokenizer file differs from what was planned.
    func checkTokenizer() throws {
        for file in tokenizerFiles {
            let size = try? Self.fileSize(file.path)
            guard size == file.size, (try? FileDigest.of(path: file.path)) == file.digest else {
                throw Self.changed(file.path, detail: size.map { "\($0) bytes, planned \(file.size)" } ?? "missing")
            }
        }
    }

    static func changed(_ path: String, detail: String) -> InputError {
        InputError("changed since the plan was made (\(detail))", at: SourceLocation(path: path),
                   hint: "make the plan again (dsprep tokenize ... --plan-out) and rerun every shard")
    }
}

extension TokenizeJob.Options {
    /// The options a user chooses, in one call (the command line and a plan both build them).
    public init(textColumn: String?, textPairColumn: String?, labelColumn: String?, noLabel: Bool, keepColumns: [String],
                attentionMask: Bool, maxLength: Int?, threads: Int) {
        self.init()
        self.textColumn = textColumn
        self.textPairColumn = textPairColumn
        self.labelColumn = labelColumn
        self.noLabel = noLabel
        self.keepColumns = keepColumns
        self.attentionMask = attentionMask
        self.maxLength = maxLength
        self.threads = threads
    }
}
