/// The options of a sentencepiece Unigram training run, named and defaulted as in sentencepiece's
/// `TrainerSpec` (src/sentencepiece_model.proto). All of them are recorded in the written model.
public struct UnigramTrainerOptions: Sendable {
    /// Pieces in the model, special and byte pieces included.
    public var vocabularySize: Int
    /// The named normalization rule (`nmt_nfkc`, `nfkc`, `identity`).
    public var normalization: NormalizationRule = .nmtNFKC
    /// Characters are kept in descending frequency until they cover this share of the text; the
    /// rest are unknown.
    public var characterCoverage: Double = 0.9995
    /// Adds the 256 `<0xNN>` pieces, so unknown characters encode as their UTF-8 bytes.
    public var byteFallback = false
    /// Every digit is a piece of its own.
    public var splitDigits = false
    /// Pieces never cross a word start (U+2581).
    public var splitByWhitespace = true
    /// Pieces never mix Unicode scripts (Hiragana and Katakana count as Han).
    public var splitByUnicodeScript = true
    /// Digits may not join letters of another script (they count as a script of their own).
    public var splitByNumber = true
    /// Pieces kept whole: never split and never normalized when encoding.
    public var userDefinedSymbols: [String] = []
    /// Longest piece, in Unicode scalars.
    public var maxPieceLength = 16
    /// Sentences longer than this many bytes are left out (sentencepiece's max_sentence_length).
    public var maxSentenceLength = 4192
    /// How many substrings seed the first model.
    public var seedPieceCount = 1_000_000
    /// Each pruning round keeps this share of the pieces.
    public var shrinkingFactor: Double = 0.75
    /// EM iterations between two pruning rounds.
    public var subIterations = 2
    public var unknownPiece = "<unk>"
    public var beginPiece = "<s>"
    public var endPiece = "</s>"
    public var padPiece = "<pad>"
    public var unknownID = 0
    public var beginID = 1
    public var endID = 2
    /// -1: no padding piece (sentencepiece's default).
    public var padID = -1

    public init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
    }

    /// The named rule sets sentencepiece compiles into a model's normalizer.
    public enum NormalizationRule: String, Sendable, CaseIterable {
        case nmtNFKC = "nmt_nfkc", nfkc = "nfkc", identity = "identity"
    }
}
