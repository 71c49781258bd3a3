import DSPrepSupport
import Foundation

/// The Unigram model as a stage of the HF pipeline (a tokenizer.json `Unigram` model): one
/// pre-tokenized word in, tokens out, as HF tokenizers' `Unigram::tokenize` gives them —
/// consecutive unknown pieces fused into one token (looked up again as a whole), and with
/// byte fallback an unknown token split into `<0xNN>` tokens that all carry the whole unknown
/// span. An unknown token's text is the text it covers, as in HF. Offsets come from the word's
/// per-scalar alignments.
///
/// Without an `unk_id`, HF fails as soon as Viterbi puts an unknown node on a best path so far,
/// even one a longer piece later beats or one byte fallback could spell; dsprep throws there too.
extension UnigramModel: TokenizerModel {
    public func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws {
        let utf8 = word.utf8
        guard !utf8.isEmpty else { return }
        try HuggingFaceScratch.pool.withScratch { scratch in
            if let missing = segment(utf8, bestPath: scratch.bestPath, into: scratch.segments) {
                throw missingUnknownError(utf8, character: missing)
            }
            let boundaries = word.boundaries, starts = word.starts, ends = word.ends
            // Byte offsets → scalar indices; tokens come in text order, so one forward walk.
            var scalar = 0
            func scalarIndex(atByte offset: Int32) -> Int {
                while scalar < word.scalarCount && boundaries[scalar] < offset { scalar += 1 }
                return scalar
            }
            let segments = scratch.segments.buffer
            var index = 0
            while index < segments.count {
                let isUnknown = segments[index].id == unkID
                var last = index
                while isUnknown && last + 1 < segments.count && segments[last + 1].id == unkID { last += 1 }
                let startByte = segments[index].start, endByte = segments[last].end
                let first = scalarIndex(atByte: startByte)
                let end = scalarIndex(atByte: endByte)
                let start = starts[first], stop = ends[end - 1]
                let id = segments[index].id
                index = last + 1
                guard isUnknown else {
                    sink.append(id, start: start, end: stop)
                    continue
                }
                // An unknown run: HF looks its text up in the vocabulary first.
                let surface = UnsafeBufferPointer(rebasing: utf8[Int(startByte)..<Int(endByte)])
                if let id = normalPieceTrie.value(of: surface) {
                    sink.append(id, start: start, end: stop)
                } else if byteFallback, let ids = byteIDs(of: surface) {
                    for id in ids { sink.append(id, start: start, end: stop) }
                } else if unkID >= 0 {
                    sink.append(unkID, start: start, end: stop, surface: String(decoding: surface, as: UTF8.self))
                } else {
                    throw missingUnknownError(utf8, character: Int(startByte))
                }
            }
        }
    }

    /// HF's `MissingUnkId`, naming the character and the word it is in.
    private func missingUnknownError(_ word: UnsafeBufferPointer<UInt8>, character offset: Int) -> InputError {
        let text = String(decoding: word, as: UTF8.self)
        let character = String(decoding: word[offset...], as: UTF8.self).unicodeScalars.first.map { String($0) } ?? ""
        return InputError("the Unigram model has no unk_id, but \(character.debugDescription) in \(text.debugDescription) has no piece",
                          hint: "HF tokenizers fails here too (\"unk_id is missing\"); set unk_id in the tokenizer.json")
    }

    /// The `<0xNN>` ids of `bytes`, or nil when one of them is missing.
    private func byteIDs(of bytes: UnsafeBufferPointer<UInt8>) -> [Int32]? {
        let hex = Array("0123456789ABCDEF".utf8)
        var ids: [Int32] = []
        for byte in bytes {
            guard let id = normalPieceTrie.value(of: [UInt8(ascii: "<"), UInt8(ascii: "0"), UInt8(ascii: "x"),
                                                      hex[Int(byte >> 4)], hex[Int(byte & 15)], UInt8(ascii: ">")])
            else { return nil }
            ids.append(id)
        }
        return ids
    }

    public func id(of token: String) -> Int32? { id(of: Array(token.utf8)) }

    public func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < pieces.count ? String(decoding: pieces[Int(id)].bytes, as: UTF8.self) : nil
    }

    public var vocabularySize: Int { pieces.count }

    /// HF's serialization: `{"type": "Unigram", "unk_id", "vocab": [[piece, score], ...], "byte_fallback"}`.
    public var json: JSONValue {
        let vocabulary = pieces.enumerated().map { index, piece -> JSONValue in
            let score = convention == .huggingFace ? doubleScoring[index].score : Double(piece.score)
            return .array([.string(String(decoding: piece.bytes, as: UTF8.self)), .number(score)])
        }
        return .object([("type", .string("Unigram")), ("unk_id", unkID >= 0 ? .number(Double(unkID)) : .null),
                         ("vocab", .array(vocabulary)), ("byte_fallback", .bool(byteFallback))])
    }
}

/// Per-thread Viterbi memory for the pipeline path (Double scores), pooled because the
/// `Model` interface carries no scratch.
final class HuggingFaceScratch {
    let bestPath = ScratchBuffer<UnigramModel.BestPathNode<Double>>(capacity: 256)
    let segments = ScratchBuffer<UnigramModel.Segment>(capacity: 64)

    static let pool = Pool()

    /// Unchecked Sendable: `free` is touched only under `lock`; a scratch is used by one thread at a time.
    final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var free: [HuggingFaceScratch] = []

        func withScratch<T>(_ body: (HuggingFaceScratch) throws -> T) rethrows -> T {
            lock.lock()
            let scratch = free.popLast() ?? HuggingFaceScratch()
            lock.unlock()
            defer {
                lock.lock()
                if free.count < 64 { free.append(scratch) }
                lock.unlock()
            }
            return try body(scratch)
        }
    }
}
