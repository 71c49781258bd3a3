import DSPrepSupport

/// The HF tokenizers pipeline: added tokens → normalizer → pre-tokenizer → model →
/// truncation → post-processor → padding; and the decoder for the way back.
public struct Tokenizer: TextTokenizer {
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let model: TokenizerModel
    public let postProcessor: PostProcessor?
    public let decoder: Decoder?
    public let addedTokens: [AddedToken]
    /// Applied by `encode`; change with `withTruncation` / `withPadding`.
    public private(set) var truncation: Truncation?
    public private(set) var padding: Padding?

    let addedVocabulary: AddedVocabulary
    /// Token strings by id (model vocabulary, then added tokens over it, as HF's `id_to_token`).
    let tokenStrings: [String?]
    /// The fused BERT path, when the pipeline is exactly BertNormalizer + BertPreTokenizer + WordPiece.
    let bertFastPath: BertFastPath?
    /// The post-processor's single-sequence template with ids resolved, for `encodeIDs`.
    let singleTemplate: [SingleTemplateStep]?

    public init(normalizer: Normalizer?, preTokenizer: PreTokenizer?, model: TokenizerModel, postProcessor: PostProcessor?,
                decoder: Decoder?, addedTokens: [AddedToken] = [], truncation: Truncation? = nil, padding: Padding? = nil) throws {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedTokens = addedTokens
        self.truncation = truncation
        self.padding = padding
        addedVocabulary = try AddedVocabulary(addedTokens, normalizer: normalizer)
        var strings = [String?](repeating: nil, count: max(model.vocabularySize, (addedTokens.map { Int($0.id) }.max() ?? -1) + 1))
        for id in 0..<strings.count { strings[id] = model.token(of: Int32(id)) }
        if let wordPiece = model as? WordPiece { strings = wordPiece.tokens + strings.dropFirst(wordPiece.tokens.count) }
        for token in addedTokens where token.id >= 0 {
            if Int(token.id) >= strings.count { strings += [String?](repeating: nil, count: Int(token.id) + 1 - strings.count) }
            strings[Int(token.id)] = token.content
        }
        tokenStrings = strings
        if let bert = normalizer as? BertNormalizer, preTokenizer is BertPreTokenizer, let wordPiece = model as? WordPiece,
           !addedVocabulary.hasNormalizedTokens {
            bertFastPath = BertFastPath(normalizer: bert, model: wordPiece, addedTokens: addedVocabulary.originalContents)
        } else {
            bertFastPath = nil
        }
        singleTemplate = Tokenizer.singleTemplate(of: postProcessor)
    }

    public func withTruncation(_ truncation: Truncation?) -> Tokenizer {
        var copy = self
        copy.truncation = truncation
        return copy
    }

    public func withPadding(_ padding: Padding?) -> Tokenizer {
        var copy = self
        copy.padding = padding
        return copy
    }

    // MARK: - TextTokenizer

    public var vocabularySize: Int { model.vocabularySize + addedTokens.filter { model.token(of: $0.id) == nil }.count }

    public func id(of token: String) -> Int32? {
        addedTokens.first { $0.content == token }?.id ?? model.id(of: token)
    }

    public func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < tokenStrings.count ? tokenStrings[Int(id)] : nil
    }

    public func encode(_ text: String, addSpecialTokens: Bool = true) throws -> Encoding {
        var scratch = Scratch()
        return try encode(text, pair: nil, addSpecialTokens: addSpecialTokens, scratch: &scratch)
    }

    public func encode(_ text: String, pair: String, addSpecialTokens: Bool = true) throws -> Encoding {
        var scratch = Scratch()
        return try encode(text, pair: pair, addSpecialTokens: addSpecialTokens, scratch: &scratch)
    }

    /// HF's `decode`: ids without a token are dropped, and with `skipSpecialTokens` every token
    /// whose text is that of a special added token (HF compares the text, not the id).
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        let special = Set(addedTokens.filter(\.special).map { Array($0.content.utf8) })
        let tokens = ids.compactMap { id -> String? in
            guard let token = token(of: id) else { return nil }
            if skipSpecialTokens && !special.isEmpty && special.contains(Array(token.utf8)) { return nil }
            return token
        }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    // MARK: - Encoding

    /// Per-thread buffers reused from one text to the next.
    struct Scratch {
        var scalars: [UInt32] = []
        /// The UTF-8 of one segment between added tokens.
        var segment: [UInt8] = []
        var sink = TokenSink()
        var word = WordBuffer()
        var words = PreTokenizedString()
        var fast = BertFastPath.Scratch()
    }

    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, scratch: inout Scratch) throws -> Encoding {
        var first = try encodeSequence(text, typeID: 0, scratch: &scratch)
        var second = try pair.map { try encodeSequence($0, typeID: 1, scratch: &scratch) }
        return try postProcess(&first, &second, addSpecialTokens: addSpecialTokens, pad: true)
    }

    /// Truncation (leaving room for special tokens), post-processing, then padding of one encoding.
    func postProcess(_ first: inout Encoding, _ second: inout Encoding?, addSpecialTokens: Bool, pad: Bool) throws -> Encoding {
        if let truncation {
            let added = addSpecialTokens ? postProcessor?.addedTokenCount(isPair: second != nil) ?? 0 : 0
            try truncation.apply(&first, &second, addedTokens: added)
        }
        var result: Encoding
        if let postProcessor {
            result = postProcessor.process(first, pair: second, addSpecialTokens: addSpecialTokens)
        } else {
            result = Encoding.merged(first, second)
        }
        if pad, let padding {
            var batch = [result]
            padding.apply(&batch)
            result = batch[0]
        }
        return result
    }

    func encodeSequence(_ text: String, typeID: Int32, scratch: inout Scratch) throws -> Encoding {
        var text = text
        try text.withUTF8 { try tokenize(utf8: $0, scratch: &scratch) }
        return makeEncoding(scratch.sink, typeID: typeID)
    }

    func makeEncoding(_ sink: TokenSink, typeID: Int32) -> Encoding {
        var encoding = Encoding()
        let count = sink.count
        encoding.ids = Array(sink.ids)
        encoding.tokens = sink.ids.map { token(of: $0) ?? "" }
        for surface in sink.storage.surfaces { encoding.tokens[surface.index] = surface.text }
        encoding.offsets = (0..<count).map { (sink.starts[$0], sink.ends[$0]) }
        encoding.typeIds = Array(repeating: typeID, count: count)
        encoding.attentionMask = Array(repeating: 1, count: count)
        encoding.specialTokensMask = Array(repeating: 0, count: count)
        return encoding
    }

    /// Tokens of one sequence of valid UTF-8 (no special tokens) into `scratch.sink`, offsets in
    /// scalars: in one pass over the bytes on the BERT fast path, else split on added tokens and
    /// run through the stages.
    func tokenize(utf8 text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) throws {
        scratch.sink.removeAll()
        if let bertFastPath,
           try bertFastPath.tokenize(utf8: text, scalarOffset: 0, stopAtAddedTokens: true, into: &scratch.sink,
                                     scratch: &scratch.fast) {
            return
        }
        Tokenizer.decodeUTF8(UnsafeRawBufferPointer(text), into: &scratch.scalars)
        let scalars = scratch.scalars
        try scalars.withUnsafeBufferPointer { scalars in
            for segment in addedVocabulary.split(scalars) {
                switch segment {
                case let .token(token, range):
                    scratch.sink.append(token.id, start: Int32(range.lowerBound), end: Int32(range.upperBound))
                case let .text(range):
                    let segment = UnsafeBufferPointer(rebasing: scalars[range])
                    if let bertFastPath {
                        scratch.segment.removeAll(keepingCapacity: true)
                        for scalar in segment { Tokenizer.appendUTF8(scalar, to: &scratch.segment) }
                        if try scratch.segment.withUnsafeBufferPointer({
                            try bertFastPath.tokenize(utf8: $0, scalarOffset: range.lowerBound, stopAtAddedTokens: false,
                                                      into: &scratch.sink, scratch: &scratch.fast)
                        }) {
                            continue
                        }
                    }
                    try tokenizeGeneric(segment, offset: range.lowerBound, scratch: &scratch)
                }
            }
        }
    }

    private static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { bytes.append($0) }
    }

    /// The stage-by-stage path, exactly as HF runs it.
    func tokenizeGeneric(_ scalars: UnsafeBufferPointer<UInt32>, offset: Int, scratch: inout Scratch) throws {
        var normalized = NormalizedString(scalars: scalars, originalOffset: offset)
        try normalizer?.normalize(&normalized)
        for (piece, token) in addedVocabulary.split(normalized: normalized) {
            if let token {
                if let range = piece.originalRange(of: 0..<piece.count) {
                    scratch.sink.append(token.id, start: range.start, end: range.end)
                }
                continue
            }
            scratch.words.load(piece)
            try preTokenizer?.preTokenize(&scratch.words)
            for range in scratch.words.pieces {
                scratch.word.load(scratch.words.normalized, range)
                try model.tokenize(scratch.word, into: &scratch.sink)
            }
        }
    }
}

extension Tokenizer.Workspace {
    /// The text of token `index` of the last `encodeIDs` when it is not the token's vocabulary
    /// entry (HF's Unigram names an unknown token by the text it covers); nil otherwise.
    public func surface(at index: Int) -> String? { output.surface(at: index) }
}
