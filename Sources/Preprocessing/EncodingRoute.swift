import Tokenizers

/// How a text becomes ids, chosen here for every encoder (`RowEncoder` for tokenize,
/// `LineEncoder` for encode): the fastest route the tokenizer offers for what the caller keeps.
enum EncodingRoute: Equatable {
    /// The pipeline's flat `encodeIDs`: ids, offsets and surfaces without an `Encoding` per text.
    case pipeline
    /// Sentencepiece's `encodeIDs` straight from UTF-8: ids only, and no BOS/EOS added.
    case sentencePieceIDs
    /// `encode`, an `Encoding` per text: pairs, and whatever the others cannot give.
    case general

    /// - pairs: texts come with a second text (only the general route pairs them).
    /// - idsOnly: the caller keeps the ids alone (no tokens or offsets).
    static func choose(for tokenizer: any TextTokenizer, pairs: Bool, idsOnly: Bool) -> EncodingRoute {
        if pairs { return .general }
        if let pipeline = tokenizer as? Tokenizer, pipeline.supportsEncodeIDs { return .pipeline }
        if idsOnly, let sentencePiece = tokenizer as? SentencePieceTokenizer, !sentencePiece.addBOS, !sentencePiece.addEOS {
            return .sentencePieceIDs
        }
        return .general
    }
}
