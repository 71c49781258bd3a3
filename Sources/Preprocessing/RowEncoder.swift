import Tokenizers

/// Encodes one row's text (and optional pair) into ids by the fastest route the tokenizer
/// offers: the pipeline's flat `encodeIDs` for single BERT-style sequences, sentencepiece's
/// `encodeIDs` straight from UTF-8, and the general `encode` (an `Encoding` per row) otherwise.
/// One encoder per thread: it owns reusable buffers.
struct RowEncoder {
    private enum Route {
        case pipeline(Tokenizer, Tokenizer.Workspace)
        case sentencePiece(SentencePieceTokenizer, SentencePieceWorkspace)
        case general(any TextTokenizer)
    }

    private var route: Route
    /// Cut rows to this many ids when the tokenizer has no truncation stage of its own.
    private let maxLength: Int?

    /// The last row's ids and type ids, and whether truncation dropped tokens.
    private(set) var ids: [Int32] = []
    private(set) var typeIds: [Int32] = []
    private(set) var truncated = false

    init(_ tokenizer: any TextTokenizer, pairs: Bool, maxLength: Int?) {
        self.maxLength = maxLength
        if !pairs, let pipeline = tokenizer as? Tokenizer, pipeline.supportsEncodeIDs, pipeline.padding == nil {
            route = .pipeline(pipeline, Tokenizer.Workspace())
        } else if !pairs, let model = tokenizer as? SentencePieceTokenizer, !model.addBOS, !model.addEOS {
            route = .sentencePiece(model, SentencePieceWorkspace())
        } else {
            route = .general(tokenizer)
        }
    }

    /// Encodes valid UTF-8 `text` (and `pair`), adding the tokenizer's special tokens.
    mutating func encode(_ text: UnsafeRawBufferPointer, pair: UnsafeRawBufferPointer?) throws {
        truncated = false
        switch route {
        case .pipeline(let pipeline, var workspace):
            // Keep the workspace's buffers uniquely referenced (out of `route`, and not shared
            // with the last row's `ids`), so encoding does not copy them.
            route = .general(pipeline)
            ids = []
            defer { route = .pipeline(pipeline, workspace) }
            try pipeline.encodeIDs(utf8: text, addSpecialTokens: true, workspace: &workspace)
            ids = workspace.ids
            truncated = workspace.truncated
            typeIds = []
        case .sentencePiece(let model, let workspace):
            ids.removeAll(keepingCapacity: true)
            model.encodeIDs(utf8: text.assumingMemoryBound(to: UInt8.self), workspace: workspace, appendingTo: &ids)
            typeIds = []
            cutToMaxLength()
        case .general(let tokenizer):
            let first = String(decoding: text, as: UTF8.self)
            var encoding: Encoding
            if let pair {
                encoding = try tokenizer.encode(first, pair: String(decoding: pair, as: UTF8.self), addSpecialTokens: true)
            } else {
                encoding = try tokenizer.encode(first, addSpecialTokens: true)
            }
            ids = encoding.ids
            typeIds = pair == nil ? [] : encoding.typeIds
            truncated = !encoding.overflowing.isEmpty
            if !(tokenizer is Tokenizer) { cutToMaxLength() }
        }
    }

    /// Tokenizers without a truncation stage of their own (sentencepiece models): cut the end.
    private mutating func cutToMaxLength() {
        guard let maxLength, ids.count > maxLength else { return }
        ids.removeLast(ids.count - maxLength)
        if typeIds.count > maxLength { typeIds.removeLast(typeIds.count - maxLength) }
        truncated = true
    }
}
