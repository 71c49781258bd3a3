import DSPrepSupport
import Foundation
import Tokenizers

/// Encodes documents on all cores and formats one output line per document, in input order.
public struct LineEncoder {
    let tokenizer: TextTokenizer
    let format: TokenOutputFormat
    let addSpecialTokens: Bool
    /// Which segmentations of a sentencepiece model to print.
    public enum Segmentation: Sendable {
        case best
        case nbest(Int)
        case sample(nbestSize: Int, alpha: Float, seed: UInt64)
    }
    let segmentation: Segmentation
    let threads: Int
    /// The pipeline, when `EncodingRoute` picks its flat `encodeIDs` for single texts (no `Encoding` per line).
    private let pipeline: Tokenizer?
    /// Token text by id, raw (piece output) or as JSON string literals (json output).
    private let tokenTexts: [[UInt8]]
    /// Id output of the pipeline: each id's decimal text, ready to store.
    private let decimalIDs: DecimalIDs

    /// Lines per parallel task, and tasks per written window (bounds memory on huge inputs).
    public static let chunkLines = 2048
    static let chunksPerWindow = 64

    public init(tokenizer: TextTokenizer, format: TokenOutputFormat, addSpecialTokens: Bool, segmentation: Segmentation = .best,
         threads: Int) {
        self.tokenizer = tokenizer
        self.threads = threads
        self.format = format
        self.addSpecialTokens = addSpecialTokens
        self.segmentation = segmentation
        // Lines show tokens and offsets, which sentencepiece's ids-only route does not give.
        let pipeline = EncodingRoute.choose(for: tokenizer, pairs: false, idsOnly: false) == .pipeline ? tokenizer as? Tokenizer : nil
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

    public func encode(_ documents: Documents, write: (Data) -> Void) throws {
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
    private static func printed(_ text: String, format: TokenOutputFormat) -> [UInt8] {
        guard format == .json else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        JSONStringLiteral.append(text, to: &bytes)
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
