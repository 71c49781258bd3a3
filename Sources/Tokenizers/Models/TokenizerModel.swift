import DSPrepSupport

/// A subword model: turns one word into tokens.
public protocol TokenizerModel: Sendable {
    func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws
    func id(of token: String) -> Int32?
    func token(of id: Int32) -> String?
    var vocabularySize: Int { get }
    var json: JSONValue { get }
}
