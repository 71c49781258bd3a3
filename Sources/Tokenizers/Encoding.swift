/// The result of tokenizing one input (or one pair), in HF tokenizers' terms.
/// Offsets are [start, end) in Unicode scalars of the original input; special tokens get (0, 0).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int32] = []
    public var tokens: [String] = []
    public var offsets: [(start: Int32, end: Int32)] = []
    /// 0 for the first sequence, 1 for the second of a pair.
    public var typeIds: [Int32] = []
    public var attentionMask: [Int32] = []
    public var specialTokensMask: [Int32] = []
    /// Windows cut off by truncation with a stride, each a full encoding of its own.
    public var overflowing: [Encoding] = []

    public init() {}

    public static func == (lhs: Encoding, rhs: Encoding) -> Bool {
        lhs.ids == rhs.ids && lhs.tokens == rhs.tokens && lhs.typeIds == rhs.typeIds
            && lhs.attentionMask == rhs.attentionMask && lhs.specialTokensMask == rhs.specialTokensMask
            && lhs.overflowing == rhs.overflowing
            && lhs.offsets.count == rhs.offsets.count
            && zip(lhs.offsets, rhs.offsets).allSatisfy { $0.start == $1.start && $0.end == $1.end }
    }
}

/// What every tokenizer dsprep loads can do (WordPiece pipelines, sentencepiece Unigram models).
public protocol TextTokenizer: Sendable {
    /// Encodes one text; `addSpecialTokens` applies the post-processor's template (CLS/SEP, BOS/EOS).
    func encode(_ text: String, addSpecialTokens: Bool) throws -> Encoding
    /// Encodes a sentence pair (second sequence gets type id 1 where the template says so).
    func encode(_ text: String, pair: String, addSpecialTokens: Bool) throws -> Encoding
    /// Turns ids back into text.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String
    var vocabularySize: Int { get }
    func id(of token: String) -> Int32?
    func token(of id: Int32) -> String?
}
