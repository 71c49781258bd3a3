import Tokenizers

/// Encodes one row's text (and optional pair) into ids by the route `EncodingRoute` picks for
/// ids alone. One encoder per thread: it owns reusable buffers.
struct RowEncoder {
    private let route: EncodingRoute
    // The tokenizer, kept once per route's type: a switch over an enum with the tokenizer as
    // payload would copy (and retain every field of) the struct on each row.
    private let pipeline: Tokenizer?
    private let sentencePiece: SentencePieceTokenizer?
    private let general: any TextTokenizer
    private var pipelineWorkspace = Tokenizer.Workspace()
    private let sentencePieceWorkspace = SentencePieceWorkspace()

    /// The last row's ids and type ids, and whether truncation dropped tokens.
    private(set) var ids: [Int32] = []
    private(set) var typeIds: [Int32] = []
    private(set) var truncated = false

    /// `tokenizer` truncates as it was set to (`TokenizeJob` gives it the --max-length).
    init(_ tokenizer: any TextTokenizer, pairs: Bool) {
        general = tokenizer
        pipeline = tokenizer as? Tokenizer
        sentencePiece = tokenizer as? SentencePieceTokenizer
        route = EncodingRoute.choose(for: tokenizer, pairs: pairs, idsOnly: true)
    }

    /// Encodes valid UTF-8 `text` (and `pair`), adding the tokenizer's special tokens.
    mutating func encode(_ text: UnsafeRawBufferPointer, pair: UnsafeRawBufferPointer?) throws {
        truncated = false
        switch route {
        case .pipeline:
            try pipeline?.encodeIDs(utf8: text, addSpecialTokens: true, workspace: &pipelineWorkspace)
            ids.removeAll(keepingCapacity: true)
            ids.append(contentsOf: pipelineWorkspace.ids)
            truncated = pipelineWorkspace.truncated
            typeIds = []
        case .sentencePieceIDs:
            ids.removeAll(keepingCapacity: true)
            sentencePiece?.encodeIDs(utf8: text.assumingMemoryBound(to: UInt8.self), workspace: sentencePieceWorkspace,
                                     appendingTo: &ids)
            typeIds = []
            // the route has no BOS/EOS: the tokenizer's truncation keeps the same range as its `encode`
            if let kept = try sentencePiece?.truncation?.keptRange(single: ids.count, addedTokens: 0), kept.count < ids.count {
                ids = Array(ids[kept])
                truncated = true
            }
        case .general:
            let first = String(decoding: text, as: UTF8.self)
            var encoding: Encoding
            if let pair {
                encoding = try general.encode(first, pair: String(decoding: pair, as: UTF8.self), addSpecialTokens: true)
            } else {
                encoding = try general.encode(first, addSpecialTokens: true)
            }
            ids = encoding.ids
            typeIds = pair == nil ? [] : encoding.typeIds
            truncated = !encoding.overflowing.isEmpty
        }
    }
}
