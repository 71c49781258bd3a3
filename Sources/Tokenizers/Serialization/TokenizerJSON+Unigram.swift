import DSPrepSupport
import Foundation

/// tokenizer.json files whose model is `Unigram`: reading them into `UnigramModel` (HF's
/// conventions), and writing one for a sentencepiece Unigram model.
extension TokenizerJSON {
    /// `{"type": "Unigram", "unk_id": N|null, "vocab": [[piece, score], ...], "byte_fallback": bool}`.
    static func makeUnigram(_ json: JSONValue, context: JSONContext) throws -> UnigramModel {
        let entries = try context.array(json, "vocab")
        let vocabulary = try entries.enumerated().map { index, entry -> (piece: String, score: Double) in
            guard let pair = entry.arrayValue, pair.count == 2, let piece = pair[0].stringValue,
                  case let .number(score) = pair[1] else {
                throw context.failure("Unigram vocab entry \(index) is \(entry.serialized()), expected [piece, score]")
            }
            return (piece, huggingFaceParsed(score))
        }
        return try UnigramModel(huggingFaceVocabulary: vocabulary, unkID: try context.optionalInt(json, "unk_id"),
                                byteFallback: try context.bool(json, "byte_fallback", default: false), path: context.path)
    }

    /// The value HF tokenizers reads for a JSON number whose shortest text is that of `value`.
    /// serde_json (as HF builds it, without `float_roundtrip`) does not round correctly: it
    /// reads the digits as an integer, converts that to f64, then multiplies or divides by a
    /// power of ten, which can land one ulp off (-11.112524032592773 → -11.112524032592772).
    /// Unigram ties are broken by these last bits, so dsprep reads the scores the same way.
    static func huggingFaceParsed(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let text = "\(value.magnitude)"
        var significand: UInt64 = 0
        var exponent = 0
        var seenPoint = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "." {
                seenPoint = true
            } else if character == "e" || character == "E" {
                exponent += Int(text[text.index(after: index)...]) ?? 0
                break
            } else if let digit = character.wholeNumberValue {
                let (scaled, overflow) = significand.multipliedReportingOverflow(by: 10)
                guard !overflow, scaled <= UInt64.max - UInt64(digit) else { return value }
                significand = scaled + UInt64(digit)
                if seenPoint { exponent -= 1 }
            }
            index = text.index(after: index)
        }
        guard exponent.magnitude <= 308, let power = Double("1e\(exponent.magnitude)") else { return value }
        let magnitude = exponent >= 0 ? Double(significand) * power : Double(significand) / power
        return value < 0 ? -magnitude : magnitude
    }

    /// The HF pipeline that encodes like a sentencepiece Unigram model: the model's compiled
    /// normalization rules (`Precompiled`), trailing spaces stripped and runs of spaces made one
    /// (`remove_extra_whitespaces`), spaces as "▁" with one prepended (`add_dummy_prefix`), and
    /// the pieces with their scores, and the decoder HF's converters write
    /// (`decoder(byteFallback:scheme:)`). HF's Unigram then differs from sentencepiece only where
    /// its own rules do (Double sums, every piece matchable, grapheme-wise normalization).
    ///
    /// Throws for settings a tokenizer.json cannot express (`treat_whitespace_as_suffix`,
    /// `escape_whitespaces: false`) and for non-Unigram models.
    public static func unigramTokenizer(_ proto: SentencePieceModelProto, path: String) throws -> Tokenizer {
        let location = SourceLocation(path: path)
        guard proto.trainerSpec.modelType == .unigram else {
            throw InputError("sentencepiece model_type \(proto.trainerSpec.modelType) cannot be written as a Unigram tokenizer.json",
                             at: location)
        }
        let spec = proto.normalizerSpec
        guard !proto.trainerSpec.treatWhitespaceAsSuffix, spec.escapeWhitespaces else {
            throw InputError("treat_whitespace_as_suffix / escape_whitespaces: false have no tokenizer.json equivalent",
                             at: location)
        }
        var normalizers: [Normalizer] = []
        if !spec.precompiledCharsmap.isEmpty {
            normalizers.append(PrecompiledNormalizer(charsMap: try PrecompiledCharsMap(blob: spec.precompiledCharsmap, path: path)))
        }
        if spec.removeExtraWhitespaces {
            normalizers.append(Strip(left: false, right: true))
            normalizers.append(Replace(.regex(try RegularExpression(" {2,}")), content: " "))
        }
        let unknown = proto.pieces.firstIndex { $0.type == .unknown }
        let model = try UnigramModel(huggingFaceVocabulary: proto.pieces.map { ($0.text, Double($0.score)) },
                                     unkID: unknown, byteFallback: proto.trainerSpec.byteFallback, path: path)
        let scheme: MetaspacePreTokenizer.PrependScheme = spec.addDummyPrefix ? .always : .never
        return try Tokenizer(normalizer: normalizers.isEmpty ? nil : NormalizerSequence(normalizers),
                             preTokenizer: MetaspacePreTokenizer(prependScheme: scheme, split: true),
                             model: model, postProcessor: nil,
                             decoder: decoder(byteFallback: proto.trainerSpec.byteFallback, scheme: scheme))
    }

    /// The decoder HF's converters write: `Metaspace`, or for a byte-fallback model the one
    /// transformers' `LlamaConverter` writes, which also turns `<0xNN>` runs back into text:
    /// "▁" → " ", bytes → text, one string, the dummy-prefix space stripped.
    static func decoder(byteFallback: Bool, scheme: MetaspacePreTokenizer.PrependScheme) -> Decoder {
        guard byteFallback else { return MetaspaceDecoder(prependScheme: scheme) }
        var steps: [Decoder] = [ReplaceDecoder(.literal("\u{2581}"), content: " "), ByteFallbackDecoder(), FuseDecoder()]
        if scheme != .never { steps.append(StripDecoder(content: " ", start: 1, stop: 0)) }
        return DecoderSequence(steps)
    }

    /// Writes `tokenizer.json` for a sentencepiece Unigram model (see `unigramTokenizer`),
    /// atomically; HF tokenizers loads it.
    public static func write(unigram proto: SentencePieceModelProto, to path: String) throws {
        try save(try unigramTokenizer(proto, path: path), to: path)
    }
}

extension SentencePieceTokenizer {
    /// Writes this model as a HF `tokenizer.json` (see `TokenizerJSON.unigramTokenizer`).
    public func saveTokenizerJSON(to path: String) throws {
        try TokenizerJSON.write(unigram: proto, to: path)
    }
}
