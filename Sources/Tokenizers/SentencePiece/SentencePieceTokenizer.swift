import DSPrepSupport

/// A sentencepiece Unigram `.model`, encoding exactly as sentencepiece 0.2.3's
/// `SentencePieceProcessor::Encode` does (spm_encode: no BOS/EOS unless asked):
/// normalize (charsmap, spaces) → Viterbi over the pieces → unknown pieces merged, or split into
/// `<0xNN>` byte pieces when the model has byte fallback. Offsets point into the original text.
public struct SentencePieceTokenizer: TextTokenizer {
    /// One output piece: its id and the byte range of the original input it came from.
    struct EncodedPiece {
        var id: Int32
        var begin: Int32
        var end: Int32
    }

    public let model: UnigramModel
    /// The model file as read (what `saveTokenizerJSON` converts).
    public let proto: SentencePieceModelProto
    public let trainerSpec: SentencePieceModelProto.TrainerSpec
    public let normalizerSpec: SentencePieceModelProto.NormalizerSpec
    /// With `addSpecialTokens`, put BOS first / EOS last (sentencepiece's `--extra_options=bos:eos`).
    public var addBOS = false
    public var addEOS = false
    /// Applied by `encode`, as the pipeline's (HF `TruncationParams`): a pair is cut longest
    /// first, before BOS/EOS are added, leaving room for them. Change with `withTruncation`.
    public private(set) var truncation: Truncation?
    let normalizer: SentencePieceNormalizer
    let denormalizer: SentencePieceNormalizer?
    /// Each piece as a String, built once so `tokens` only references them.
    let pieceStrings: [String]
    /// Id of `<0xNN>` for each byte when the model has byte fallback.
    let byteIDs: [Int32]
    let pool = SentencePieceWorkspacePool()

    /// Loads a sentencepiece `.model` file (a serialized ModelProto).
    public static func load(path: String) throws -> SentencePieceTokenizer {
        let file = try MappedFile(path: path)
        let proto = try SentencePieceModelProto(serialized: file.bytes, path: path)
        return try SentencePieceTokenizer(proto: proto, path: path)
    }

    /// Builds the tokenizer from a decoded model; `path` names the source in errors.
    public init(proto: SentencePieceModelProto, path: String) throws {
        let location = SourceLocation(path: path)
        guard proto.trainerSpec.modelType == .unigram else {
            throw InputError("sentencepiece model_type \(proto.trainerSpec.modelType) is not supported; dsprep reads UNIGRAM models",
                             at: location)
        }
        guard !proto.pieces.isEmpty else { throw InputError("the model has no pieces", at: location) }
        // sentencepiece 0.2.3 turns a raw NUL piece of a byte-fallback model into an unused one
        // (conversion scripts add it by mistake; <0x00> already covers the byte).
        let byteFallback = proto.trainerSpec.byteFallback
        model = try UnigramModel(
            pieces: proto.pieces.map {
                UnigramModel.Piece(bytes: $0.bytes, score: $0.score,
                                   type: byteFallback && $0.bytes == [0] ? .unused : $0.type)
            },
            byteFallback: proto.trainerSpec.byteFallback, path: path)
        self.proto = proto
        trainerSpec = proto.trainerSpec
        normalizerSpec = proto.normalizerSpec
        pieceStrings = proto.pieces.map(\.text)

        let bytePieces = proto.pieces.enumerated().filter { $0.element.type == .byte }
        if !bytePieces.isEmpty && !trainerSpec.byteFallback {
            throw InputError("byte piece \(bytePieces[0].element.text) is found although byte_fallback is false",
                             at: location)
        }
        var byteIDs: [Int32] = []
        if trainerSpec.byteFallback {
            byteIDs = [Int32](repeating: -1, count: 256)
            for (id, piece) in bytePieces {
                guard let byte = Self.byteValue(ofPiece: piece.bytes) else {
                    throw InputError("byte piece \(piece.text) is invalid; expected <0xNN>", at: location)
                }
                byteIDs[Int(byte)] = Int32(id)
            }
            if let missing = byteIDs.firstIndex(of: -1) {
                throw InputError("byte_fallback is true but there is no byte piece for 0x\(String(missing, radix: 16, uppercase: true))",
                                 at: location, hint: "a byte-fallback model has all 256 <0xNN> pieces")
            }
        }
        self.byteIDs = byteIDs

        let userDefined = proto.pieces.enumerated().filter { $0.element.type == .userDefined }
        let matcher = userDefined.isEmpty ? nil
            : DoubleArrayTrie(keys: userDefined.map { ($0.element.bytes, Int32($0.offset)) })
        normalizer = try SentencePieceNormalizer(
            spec: proto.normalizerSpec, treatWhitespaceAsSuffix: trainerSpec.treatWhitespaceAsSuffix,
            userDefinedSymbols: matcher, path: path)
        if let spec = proto.denormalizerSpec, !spec.precompiledCharsmap.isEmpty {
            denormalizer = try SentencePieceNormalizer(spec: spec, treatWhitespaceAsSuffix: false,
                                                       userDefinedSymbols: nil, path: path)
        } else {
            denormalizer = nil
        }
        try runSelfTest(proto.selfTestSamples, path: path)
    }

    /// `<0xNN>` → NN (sentencepiece writes two upper-case hex digits).
    static func byteValue(ofPiece bytes: [UInt8]) -> UInt8? {
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "0"),
              bytes[2] == UInt8(ascii: "x"), bytes[5] == UInt8(ascii: ">") else { return nil }
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        guard let high = hex(bytes[3]), let low = hex(bytes[4]) else { return nil }
        return high << 4 | low
    }

    // MARK: - Encoding

    /// Encodes UTF-8 bytes into `workspace.output` (ids and original byte ranges).
    func encodePieces(_ input: UnsafeBufferPointer<UInt8>, workspace: SentencePieceWorkspace) {
        normalizer.normalize(input, into: workspace.normalized, normToOrig: workspace.normToOrig)
        model.segment(workspace.normalized.buffer, bestPath: workspace.bestPath, into: workspace.segments)
        emitPieces(workspace: workspace)
    }

    /// `workspace.segments` (of `workspace.normalized`) → `workspace.output`, as sentencepiece's
    /// `PopulateSentencePieceText` does: a run of unknown pieces becomes one, or with byte
    /// fallback each byte of it a `<0xNN>` piece; spans are mapped back to the input.
    func emitPieces(workspace: SentencePieceWorkspace) {
        let output = workspace.output
        output.count = 0
        let segments = workspace.segments.buffer
        guard !segments.isEmpty else { return }
        let normToOrig = workspace.normToOrig.base
        let normalized = workspace.normalized.base
        let unkID = model.unkID
        let byteFallback = !byteIDs.isEmpty
        // At most one output piece per normalized byte (byte fallback), so no growth below.
        output.reserve(workspace.normalized.count + 1)
        var previousWasUnknown = false
        for segment in segments {
            let begin = normToOrig[Int(segment.start)]
            let end = normToOrig[Int(segment.end)]
            let isUnknown = segment.id == unkID
            if isUnknown && byteFallback {
                // Each byte of the unknown text becomes its <0xNN> piece; only the last one
                // carries the original span.
                for position in segment.start..<segment.end {
                    let last = position == segment.end - 1
                    output.base[output.count] = EncodedPiece(
                        id: byteIDs[Int(normalized[Int(position)])], begin: begin, end: last ? end : begin)
                    output.count += 1
                }
            } else if isUnknown && previousWasUnknown {
                // A run of unknown characters is one unknown piece.
                output.base[output.count - 1].end = end
            } else {
                output.base[output.count] = EncodedPiece(id: segment.id, begin: begin, end: end)
                output.count += 1
            }
            previousWasUnknown = isUnknown
        }
    }

    /// The ids of `text` (sentencepiece's `encode(text)`), reusing `workspace`.
    public func encodeIDs(_ text: String, workspace: SentencePieceWorkspace) -> [Int32] {
        var ids: [Int32] = []
        var text = text
        text.withUTF8 { encodeIDs(utf8: $0, workspace: workspace, appendingTo: &ids) }
        return ids
    }

    /// The ids of `text`, using a pooled workspace.
    public func encodeIDs(_ text: String) -> [Int32] {
        pool.withWorkspace { encodeIDs(text, workspace: $0) }
    }

    /// Appends the ids of UTF-8 `bytes` to `ids` (malformed bytes are read as U+FFFD, one
    /// byte each, as sentencepiece does).
    public func encodeIDs(utf8 bytes: UnsafeBufferPointer<UInt8>, workspace: SentencePieceWorkspace,
                          appendingTo ids: inout [Int32]) {
        encodePieces(bytes, workspace: workspace)
        ids.reserveCapacity(ids.count + workspace.output.count)
        for piece in workspace.output.buffer { ids.append(piece.id) }
    }

    /// The pieces of `text` as strings (sentencepiece's `encode(text, out_type=str)` with the
    /// model's piece for unknowns, i.e. `id_to_piece` of each id).
    public func encodePieces(_ text: String) -> [String] {
        encodeIDs(text).map { pieceStrings[Int($0)] }
    }

    public func withTruncation(_ truncation: Truncation?) -> SentencePieceTokenizer {
        var copy = self
        copy.truncation = truncation
        return copy
    }

    public func encode(_ text: String, addSpecialTokens: Bool) throws -> Encoding {
        try encode(text, pair: nil, addSpecialTokens: addSpecialTokens)
    }

    public func encode(_ text: String, pair: String, addSpecialTokens: Bool) throws -> Encoding {
        try encode(text, pair: .some(pair), addSpecialTokens: addSpecialTokens)
    }

    /// Each sequence alone, then truncation over both, then BOS/EOS around each when asked and
    /// the pair after the first: the order of HF's pipeline.
    private func encode(_ text: String, pair: String?, addSpecialTokens: Bool) throws -> Encoding {
        var first = sequence(text, typeID: 0)
        var second = pair.map { sequence($0, typeID: 1) }
        let bos = addSpecialTokens && addBOS && isPiece(trainerSpec.bosID) ? trainerSpec.bosID : nil
        let eos = addSpecialTokens && addEOS && isPiece(trainerSpec.eosID) ? trainerSpec.eosID : nil
        let framing = [bos, eos].compactMap { $0 }.count
        try truncation?.apply(&first, &second, addedTokens: framing * (second == nil ? 1 : 2))
        func framed(_ sequence: Encoding, typeID: Int32) -> Encoding {
            func special(_ id: Int32) -> Encoding { Encoding(specialIDs: [id], tokens: [pieceStrings[Int(id)]], typeID: typeID) }
            var result = bos.map(special) ?? Encoding()
            result.merge(with: sequence)
            if let eos { result.merge(with: special(eos)) }
            return result
        }
        return Encoding.merged(framed(first, typeID: 0), second.map { framed($0, typeID: 1) })
    }

    /// Whether `id` names a piece (a disabled BOS/EOS id is −1).
    private func isPiece(_ id: Int32) -> Bool { id >= 0 && Int(id) < pieceStrings.count }

    /// One sequence's pieces, without special tokens.
    private func sequence(_ text: String, typeID: Int32) -> Encoding {
        var encoding = Encoding()
        var text = text
        text.withUTF8 { bytes in
            pool.withWorkspace { workspace in
                encodePieces(bytes, workspace: workspace)
                append(workspace.output.buffer, of: bytes, typeID: typeID, addSpecialTokens: false, to: &encoding)
            }
        }
        return encoding
    }

    /// Appends encoded pieces of the UTF-8 `input` (BOS/EOS around them when asked), with
    /// their spans as Unicode scalar offsets.
    func append(_ pieces: UnsafeBufferPointer<EncodedPiece>, of input: UnsafeBufferPointer<UInt8>, typeID: Int32,
                addSpecialTokens: Bool, to encoding: inout Encoding) {
        func appendSpecial(_ id: Int32) {
            guard id >= 0, Int(id) < pieceStrings.count else { return }
            encoding.ids.append(id)
            encoding.tokens.append(pieceStrings[Int(id)])
            encoding.offsets.append((0, 0))
            encoding.typeIds.append(typeID)
            encoding.attentionMask.append(1)
            encoding.specialTokensMask.append(1)
        }
        if addSpecialTokens && addBOS { appendSpecial(trainerSpec.bosID) }
        encoding.ids.reserveCapacity(encoding.ids.count + pieces.count + 2)
        // Byte offsets → Unicode scalar offsets; both only move forward.
        var scalarIndex: Int32 = 0
        var byteIndex = 0
        func scalars(upTo offset: Int32) -> Int32 {
            while byteIndex < Int(offset) && byteIndex < input.count {
                if input[byteIndex] & 0xC0 != 0x80 { scalarIndex += 1 }
                byteIndex += 1
            }
            return scalarIndex
        }
        for piece in pieces {
            encoding.ids.append(piece.id)
            encoding.tokens.append(pieceStrings[Int(piece.id)])
            let start = scalars(upTo: piece.begin)
            encoding.offsets.append((start, scalars(upTo: piece.end)))
            encoding.typeIds.append(typeID)
            encoding.attentionMask.append(1)
            encoding.specialTokensMask.append(0)
        }
        if addSpecialTokens && addEOS { appendSpecial(trainerSpec.eosID) }
    }

    /// The normalized text sentencepiece segments (U+2581 for spaces) and, per normalized byte
    /// plus one for the end, the original byte offset.
    public func normalize(_ text: String) -> (normalized: String, normToOrig: [Int]) {
        var text = text
        return text.withUTF8 { bytes in
            pool.withWorkspace { workspace in
                normalizer.normalize(bytes, into: workspace.normalized, normToOrig: workspace.normToOrig)
                return (String(decoding: workspace.normalized.buffer, as: UTF8.self),
                        workspace.normToOrig.buffer.map { Int($0) })
            }
        }
    }

    // MARK: - Vocabulary

    public var vocabularySize: Int { pieceStrings.count }

    public func id(of token: String) -> Int32? { model.id(of: Array(token.utf8)) }

    public func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < pieceStrings.count ? pieceStrings[Int(id)] : nil
    }

    // MARK: - Self test

    /// sentencepiece re-encodes the model's self-test samples at load and refuses the model if
    /// a result differs (in pieces, or in total score when pieces differ).
    private func runSelfTest(_ samples: [SentencePieceModelProto.SelfTestSample], path: String) throws {
        for sample in samples {
            let result = encodePieces(sample.input).joined(separator: " ")
            guard result != sample.expected else { continue }
            func score(_ pieces: String) -> Float {
                pieces.split(separator: " ", omittingEmptySubsequences: false).reduce(Float(0)) { total, piece in
                    let id = model.id(of: Array(piece.utf8)) ?? model.unkID
                    if id == model.unkID { return total + model.unknownScore }
                    let entry = model.pieces[Int(id)]
                    return total + (entry.type == .userDefined
                        ? UnigramModel.userDefinedScore(length: piece.utf8.count) : entry.score)
                }
            }
            if abs(score(result) - score(sample.expected)) > 1e-7 {
                throw InputError("self-test failed for \"\(sample.input)\": expected \(sample.expected), got \(result)",
                                 at: SourceLocation(path: path))
            }
        }
    }
}
