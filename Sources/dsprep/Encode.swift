import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep encode`: one document per input line → one line of token ids, pieces or JSON.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Tokenize text, one document per line, with a tokenizer.json, a BERT vocab.txt or a sentencepiece .model.",
        discussion: """
            Prints exactly one line per input line, in order (empty lines included), encoding on all cores. The \
            tokenizer file's truncation applies; its padding only with --pad. Offsets are [start, end) in Unicode \
            scalars of the input line (of each text, for --text-pair-column pairs), [0, 0] for special tokens.

            With --format jsonl each line is a JSON object: the text is its --text-column field (default: the first of \
            document, text, sentence, ... it has), and --text-pair-column names a second text, encoded as a pair (the \
            tokenizer's pair template, e.g. [CLS] A [SEP] B [SEP]; json output adds "type_ids").
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case id, piece, json }

    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, jsonl

        /// "lines" is the earlier name of `text`.
        init?(argument: String) { self.init(rawValue: argument == "lines" ? "text" : argument) }
    }

    @OptionGroup var tokenizer: TokenizerOption

    @Option(help: "id (ids separated by spaces), piece (tokens) or json ({\"ids\",\"tokens\",\"offsets\"}, and \"overflowing\" windows when truncated).")
    var outputFormat: OutputFormat = .id

    @Flag(inversion: .prefixedNo, help: "Add the post-processor's special tokens ([CLS]/[SEP], <s>, ...).")
    var specialTokens = true

    @Flag(help: "Apply the padding configured in the tokenizer.json.")
    var pad = false

    @Option(help: "text (each line is a document) or jsonl (each line a JSON object; see --text-column).")
    var format: InputFormat = .text

    /// `--input-format`, the earlier spelling of --format.
    @Option(name: .customLong("input-format"), help: .private)
    var inputFormat: InputFormat?

    @OptionGroup var text: TextColumnOption
    @OptionGroup var textPair: TextPairColumnOption

    /// `--field` and `--pair-field`, the earlier spellings of --text-column and --text-pair-column.
    @Option(name: .customLong("field"), help: .private)
    var field: String?
    @Option(name: .customLong("pair-field"), help: .private)
    var pairField: String?

    @Option(help: ArgumentHelp("sentencepiece .model only: the N best segmentations of each line, tab-separated (json: an array).",
                               valueName: "N"))
    var nbest: Int?

    @Flag(help: "sentencepiece .model only: draw one segmentation per line (subword regularization), from all of them or, with --nbest N, from the N best; probability ∝ exp(alpha · score). Each line draws from its own stream of --seed, so the output does not depend on threads.")
    var sample = false

    @Option(help: "With --sample: the smoothing parameter alpha.")
    var alpha: Float = 0.1

    @OptionGroup var seed: SeedOption

    /// For a vocab.txt (a tokenizer.json says itself how it normalizes).
    @Flag var casing: Casing?

    @OptionGroup var threads: ThreadsOption

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    private var inputFormatUsed: InputFormat { inputFormat ?? format }
    private var textField: String? { text.textColumn ?? field }
    private var pairTextField: String? { textPair.textPairColumn ?? pairField }

    func validate() throws {
        if inputFormatUsed == .text && (textField != nil || pairTextField != nil) {
            throw ValidationError("--text-column and --text-pair-column are only for --format jsonl")
        }
        if pairTextField != nil && (nbest != nil || sample) { throw ValidationError("--nbest and --sample encode single texts, not --text-pair-column pairs") }
        if let nbest, nbest < 1 || nbest > (sample ? 512 : 1024) {
            throw ValidationError("--nbest takes 1...\(sample ? 512 : 1024)\(sample ? " with --sample" : "")")
        }
        if (nbest != nil || sample) && !(tokenizer.tokenizer?.hasSuffix(".model") ?? false) {
            throw ValidationError("--nbest and --sample need a sentencepiece .model tokenizer")
        }
        if (nbest != nil || sample) && pad { throw ValidationError("--pad does not apply to --nbest or --sample") }
    }

    func run() throws {
        let path = try tokenizer.pathNotingDefault()
        var loaded = try TokenizerLoader.load(path: path, casing: casing.loading)
        if let pipeline = loaded as? Tokenizer {
            if pad && pipeline.padding == nil {
                throw InputError("--pad given, but the tokenizer has no padding configuration", at: SourceLocation(path: path))
            }
            loaded = pad ? pipeline : pipeline.withPadding(nil)
        } else if pad {
            throw InputError("--pad needs a tokenizer.json with a padding configuration", at: SourceLocation(path: path))
        }
        var segmentation = LineEncoder.Segmentation.best
        if sample {
            segmentation = .sample(nbestSize: nbest ?? -1, alpha: alpha, seed: seed.seed)
        } else if let nbest {
            segmentation = .nbest(nbest)
        }
        let encoder = LineEncoder(tokenizer: loaded, format: outputFormat, addSpecialTokens: specialTokens,
                                  segmentation: segmentation, threads: threads.count)
        let inputs = try files.isEmpty ? [LineInput.standardInput()] : files.map(LineInput.file)
        // Everything that can fail on user data (UTF-8, JSON fields) is checked before the first
        // byte is written, so an error never leaves partial output behind.
        let documents = try inputs.map {
            try $0.documents(format: inputFormatUsed, field: textField, pairField: pairTextField, threads: threads.count)
        }
        let output = FileHandle.standardOutput
        for document in documents {
            try encoder.encode(document) { output.write($0) }
        }
    }
}


/// Input for line-oriented commands: a memory-mapped file or all of standard input, split on
/// LF bytes only (a "\r" stays in the line, as Python's `open(newline="\n")` keeps it).
struct LineInput {
    let name: String
    let bytes: UnsafeRawBufferPointer
    /// Keeps the mapping (or the stdin copy) alive.
    let owner: AnyObject

    static func file(_ path: String) throws -> LineInput {
        let mapped = try MappedFile(path: path)
        mapped.adviseSequential()
        return LineInput(name: path, bytes: mapped.bytes, owner: mapped)
    }

    static func standardInput() -> LineInput {
        let data = NSData(data: FileHandle.standardInput.readDataToEndOfFile())
        return LineInput(name: "<stdin>", bytes: UnsafeRawBufferPointer(start: data.bytes, count: data.length), owner: data)
    }

    /// The documents of this input: line byte ranges (validated UTF-8), or the extracted JSON
    /// field (and pair field) of each line; without `field`, the fields are found by name in the
    /// first object, as `tokenize` finds its columns.
    func documents(format: Encode.InputFormat, field: String? = nil, pairField: String? = nil, threads: Int) throws -> Documents {
        var ranges: [Range<Int>] = []
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            if let base = bytes.baseAddress, let found = memchr(base + start, 0x0A, count - start) {
                end = base.distance(to: UnsafeRawPointer(found))
            } else {
                end = count
            }
            ranges.append(start..<end)
            start = end + 1
        }
        switch format {
        case .text:
            try validateUTF8(ranges, threads: threads)
            return Documents(input: self, lines: ranges, texts: nil, pairs: nil)
        case .jsonl:
            var texts: [String] = [], pairs: [String] = []
            var fields: (text: String, pair: String?)?
            for (index, range) in ranges.enumerated() {
                let location = SourceLocation(path: name, line: index + 1)
                let object = try Self.object(UnsafeRawBufferPointer(rebasing: bytes[range]), at: location)
                func string(_ key: String) throws -> String {
                    guard let value = object[key] else { throw InputError("no field \"\(key)\"", at: location) }
                    guard let text = value.stringValue else { throw InputError("field \"\(key)\" is not a string", at: location) }
                    return text
                }
                let chosen = try fields ?? Self.fields(of: object, text: field, pair: pairField, at: location)
                fields = chosen
                texts.append(try string(chosen.text))
                if let pair = chosen.pair { pairs.append(try string(pair)) }
            }
            return Documents(input: self, lines: ranges, texts: texts, pairs: fields?.pair == nil ? nil : pairs)
        }
    }

    /// One line's JSON object, read by the lexer `ingest` reads JSON with: the two accept the same
    /// lines, and an error names the line and column.
    private static func object(_ line: UnsafeRawBufferPointer, at location: SourceLocation) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, path: location.path)
        } catch var error as InputError {
            error.location = SourceLocation(path: location.path, line: location.line, column: error.location?.column)
            throw error
        }
        guard let members = value.objectValue else { throw InputError("expected a JSON object", at: location) }
        var keys = Set<String>()
        for (key, _) in members where !keys.insert(key).inserted {
            throw InputError("duplicate key '\(key)' in one object", at: location)
        }
        return value
    }

    /// The text and pair fields: as given, else the first string fields named as `ColumnRoles`
    /// names text columns (and, with the text found so, pair columns).
    private static func fields(of object: JSONValue, text: String?, pair: String?,
                               at location: SourceLocation) throws -> (text: String, pair: String?) {
        if let text { return (text, pair) }
        let members = object.objectValue ?? []
        let named = { (names: [String]) in
            names.lazy.compactMap { name in members.first { $0.0.lowercased() == name && $0.1.stringValue != nil }?.0 }.first
        }
        guard let found = named(ColumnRoles.textNames) else {
            throw InputError("cannot tell which field holds the text", at: location, hint: "pass --text-column NAME")
        }
        return (found, pair ?? named(ColumnRoles.pairNames))
    }

    /// Checks every line on all cores; the error names the first bad line and its byte column.
    private func validateUTF8(_ ranges: [Range<Int>], threads: Int) throws {
        let chunk = LineEncoder.chunkLines
        _ = try Parallel.map((ranges.count + chunk - 1) / chunk, threads: threads) { part in
            for index in part * chunk..<min(ranges.count, (part + 1) * chunk) {
                if let offset = UTF8Validation.firstInvalidOffset(in: UnsafeRawBufferPointer(rebasing: bytes[ranges[index]])) {
                    throw InputError("invalid UTF-8", at: SourceLocation(path: name, line: index + 1, column: offset + 1),
                                     hint: "dsprep encode reads UTF-8 text, one document per line")
                }
            }
        }
    }
}

/// The documents of one input, by index.
struct Documents {
    let input: LineInput
    let lines: [Range<Int>]
    let texts: [String]?
    /// The second text of each document, for sentence-pair input.
    let pairs: [String]?

    var count: Int { lines.count }

    /// The UTF-8 bytes of document `index` (validated when the documents were made).
    func withUTF8<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let texts {
            var text = texts[index]
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        return try body(UnsafeRawBufferPointer(rebasing: input.bytes[lines[index]]))
    }

    func text(_ index: Int) -> String {
        if let texts { return texts[index] }
        return String(decoding: UnsafeRawBufferPointer(rebasing: input.bytes[lines[index]]), as: UTF8.self)
    }
}


/// Encodes documents on all cores and formats one output line per document, in input order.
struct LineEncoder {
    let tokenizer: TextTokenizer
    let format: Encode.OutputFormat
    let addSpecialTokens: Bool
    /// Which segmentations of a sentencepiece model to print.
    enum Segmentation {
        case best
        case nbest(Int)
        case sample(nbestSize: Int, alpha: Float, seed: UInt64)
    }
    let segmentation: Segmentation
    let threads: Int
    /// The pipeline, when its flat `encodeIDs` path applies (no `Encoding` per line).
    private let pipeline: Tokenizer?
    /// Token text by id, raw (piece output) or as JSON string literals (json output).
    private let tokenTexts: [[UInt8]]
    /// Id output of the pipeline: each id's decimal text, ready to store.
    private let decimalIDs: DecimalIDs

    /// Lines per parallel task, and tasks per written window (bounds memory on huge inputs).
    static let chunkLines = 2048
    static let chunksPerWindow = 64

    init(tokenizer: TextTokenizer, format: Encode.OutputFormat, addSpecialTokens: Bool, segmentation: Segmentation = .best,
         threads: Int) {
        self.tokenizer = tokenizer
        self.threads = threads
        self.format = format
        self.addSpecialTokens = addSpecialTokens
        self.segmentation = segmentation
        let pipeline = (tokenizer as? Tokenizer).flatMap { $0.supportsEncodeIDs ? $0 : nil }
        self.pipeline = pipeline
        var texts: [[UInt8]] = []
        if let pipeline, format != .id {
            // Ids are dense in practice; stop after a long run of unknown ids.
            var id: Int32 = 0, misses = 0
            while misses < 1024 {
                let text = pipeline.token(of: id)
                misses = text == nil ? misses + 1 : 0
                texts.append(text.map { Self.printed($0, format: format) } ?? [])
                id += 1
            }
        }
        tokenTexts = texts
        decimalIDs = DecimalIDs(count: pipeline != nil && format == .id ? pipeline?.vocabularySize ?? 0 : 0)
    }

    func encode(_ documents: Documents, write: (Data) -> Void) throws {
        var padLength: Int? = nil
        if let pipeline = tokenizer as? Tokenizer, let padding = pipeline.padding, padding.isBatchLongest {
            // Batch-longest padding over the whole input: a first pass finds the longest encoding.
            padLength = try longestEncoding(documents)
        }
        let chunkCount = (documents.count + Self.chunkLines - 1) / Self.chunkLines
        var windowStart = 0
        while windowStart < chunkCount {
            let windowEnd = min(chunkCount, windowStart + Self.chunksPerWindow)
            let outputs = try Parallel.map(windowEnd - windowStart, threads: threads) { offset -> Data in
                let lines = (windowStart + offset) * Self.chunkLines..<min(documents.count, (windowStart + offset + 1) * Self.chunkLines)
                return try encodeChunk(documents, lines: lines, padLength: padLength)
            }
            for output in outputs { write(output) }
            windowStart = windowEnd
        }
    }

    /// The text of token `id`, or `surface` when the token's text is not its vocabulary entry
    /// (HF's Unigram names an unknown token by the text it covers).
    private func tokenText(_ id: Int32, surface: String? = nil) -> [UInt8] {
        if surface == nil && id >= 0 && Int(id) < tokenTexts.count { return tokenTexts[Int(id)] }
        return Self.printed(surface ?? pipeline?.token(of: id) ?? "", format: format)
    }

    /// A token's text as printed: raw (piece output) or a JSON string literal (json output).
    private static func printed(_ text: String, format: Encode.OutputFormat) -> [UInt8] {
        guard format == .json else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        OutputBuffer.appendJSONString(text, to: &bytes)
        return bytes
    }

    private func encodeChunk(_ documents: Documents, lines: Range<Int>, padLength: Int?) throws -> Data {
        var buffer = OutputBuffer()
        if let pipeline, documents.pairs == nil {
            var workspace = Tokenizer.Workspace()
            for index in lines {
                try located(documents, index) {
                    try documents.withUTF8(index) {
                        try pipeline.encodeIDs(utf8: $0, addSpecialTokens: addSpecialTokens, batchLongest: padLength, workspace: &workspace)
                    }
                }
                if format == .json && workspace.truncated {
                    // JSON shows the windows truncation cut off, which only the full encoding has.
                    let encoding = try located(documents, index) { try encodings(documents, index, padLength: padLength)[0] }
                    appendEncoding(encoding, to: &buffer)
                    buffer.endLine(format: format, isList: false)
                    continue
                }
                let (ids, starts, ends) = (workspace.ids, workspace.starts, workspace.ends)
                if format == .id {
                    buffer.appendIDLine(ids, decimal: decimalIDs)
                    continue
                }
                buffer.appendLine(format: format, count: ids.count, id: { ids[$0] }, token: { tokenText(ids[$0], surface: workspace.surface(at: $0)) },
                                  offset: { (starts[$0], ends[$0]) })
            }
        } else {
            for index in lines {
                buffer.beginLine(format: format, isList: isList)
                for (number, encoding) in try located(documents, index, { try encodings(documents, index, padLength: padLength) }).enumerated() {
                    if number > 0 { buffer.appendSeparator(format: format) }
                    appendEncoding(encoding, to: &buffer, typeIds: documents.pairs != nil)
                }
                buffer.endLine(format: format, isList: isList)
            }
        }
        return buffer.data()
    }

    /// `body`'s result; an InputError that names no place gets input line `index` (a text the
    /// tokenizer cannot encode, e.g. a Unigram model without unk_id).
    private func located<T>(_ documents: Documents, _ index: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as InputError where error.location == nil {
            error.location = SourceLocation(path: documents.input.name, line: index + 1)
            throw error
        }
    }

    /// --nbest prints a list per line (tab-separated, or a JSON array).
    private var isList: Bool { if case .nbest = segmentation { return true } else { return false } }

    /// What one input line becomes: one encoding, or the n best.
    private func encodings(_ documents: Documents, _ index: Int, padLength: Int?) throws -> [Encoding] {
        let text = documents.text(index)
        switch segmentation {
        case .best:
            var encoding = try documents.pairs.map { try tokenizer.encode(text, pair: $0[index], addSpecialTokens: addSpecialTokens) }
                ?? tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
            if let padLength, let pipeline = tokenizer as? Tokenizer { encoding = pipeline.padded(encoding, to: padLength) }
            return [encoding]
        case let .nbest(size):
            guard let model = tokenizer as? SentencePieceTokenizer else { return [] }
            return model.nbestEncode(text, size: size, addSpecialTokens: addSpecialTokens).map(\.encoding)
        case let .sample(nbestSize, alpha, seed):
            guard let model = tokenizer as? SentencePieceTokenizer else { return [] }
            // Each line its own stream: the same output whatever the chunking and threads.
            var generator = SeededGenerator(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
            return [try model.sampleEncode(text, nbestSize: nbestSize, alpha: alpha, addSpecialTokens: addSpecialTokens,
                                           using: &generator)]
        }
    }

    /// `typeIds`: add the JSON member "type_ids" (sentence pairs).
    private func appendEncoding(_ encoding: Encoding, to buffer: inout OutputBuffer, typeIds: Bool = false) {
        let texts = format == .id ? [] : encoding.tokens.map { Self.printed($0, format: format) }
        buffer.appendItems(format: format, count: encoding.ids.count, id: { encoding.ids[$0] }, token: { texts[$0] },
                           offset: { $0 < encoding.offsets.count ? (encoding.offsets[$0].start, encoding.offsets[$0].end) : (0, 0) }) { buffer in
            if typeIds {
                buffer.append(#","type_ids":["#)
                for (index, type) in encoding.typeIds.enumerated() {
                    if index > 0 { buffer.append(UInt8(ascii: ",")) }
                    buffer.appendInteger(type)
                }
                buffer.append(UInt8(ascii: "]"))
            }
            // Truncation's overflowing windows (each with its own, as HF nests them), when there are some.
            guard !encoding.overflowing.isEmpty else { return }
            buffer.append(#","overflowing":["#)
            for (number, window) in encoding.overflowing.enumerated() {
                if number > 0 { buffer.append(UInt8(ascii: ",")) }
                appendEncoding(window, to: &buffer, typeIds: typeIds)
            }
            buffer.append(UInt8(ascii: "]"))
        }
    }

    private func longestEncoding(_ documents: Documents) throws -> Int {
        let lengths = try Parallel.map((documents.count + Self.chunkLines - 1) / Self.chunkLines, threads: threads) { chunk -> Int in
            var longest = 0
            for index in chunk * Self.chunkLines..<min(documents.count, (chunk + 1) * Self.chunkLines) {
                longest = max(longest, try encodings(documents, index, padLength: nil)[0].ids.count)
            }
            return longest
        }
        return lengths.max() ?? 0
    }
}
