import DSPrepSupport
import Foundation

/// What a tokenizer path names, resolved in one place for everything that reads it: loading
/// (`TokenizerLoader`), the cache key and job record of a tokenize run, and the checks that
/// shards and a model share a tokenizer.
public struct TokenizerPath: Sendable, Equatable {
    public enum Kind: Sendable { case tokenizerJSON, sentencePiece, vocabularyText }

    /// The file the tokenizer is read from: the path itself, or a model folder's tokenizer.json
    /// (else its vocab.txt).
    public let file: String
    public let kind: Kind
    /// Every file loading reads: `file`, and for a vocab.txt the tokenizer_config.json beside it
    /// (its casing), when there is one.
    public let files: [String]

    /// - `*.json`: an HF tokenizer.json; `*.model`: a sentencepiece model; anything else: a BERT
    ///   vocab.txt; a folder: its tokenizer.json, else its vocab.txt.
    public init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("no such file", at: SourceLocation(path: path),
                             hint: "--tokenizer takes a tokenizer.json, a vocab.txt, a sentencepiece .model or an HF model folder")
        }
        if isDirectory.boolValue {
            let candidates = ["tokenizer.json", "vocab.txt"].map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw InputError("is a directory without tokenizer.json or vocab.txt", at: SourceLocation(path: path))
            }
            file = found
        } else {
            file = path
        }
        kind = file.hasSuffix(".json") ? .tokenizerJSON : file.hasSuffix(".model") ? .sentencePiece : .vocabularyText
        let config = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("tokenizer_config.json").path
        files = kind == .vocabularyText && FileManager.default.fileExists(atPath: config) ? [file, config] : [file]
    }
}
