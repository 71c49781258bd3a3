import DSPrepSupport
import Foundation

/// Opens whatever tokenizer file a user has, by its kind.
public enum TokenizerLoader {
    public enum Casing: Sendable { case automatic, cased, uncased }

    /// - `*.json`: a HF tokenizer.json;
    /// - `*.model`: a sentencepiece model;
    /// - anything else: a BERT vocab.txt, lowercased unless `casing` (or a `tokenizer_config.json`
    ///   beside it with `do_lower_case: false`) says cased.
    public static func load(path: String, casing: Casing = .automatic) throws -> TextTokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("no such file", at: SourceLocation(path: path), hint: "--tokenizer takes a tokenizer.json, a vocab.txt or a sentencepiece .model")
        }
        if isDirectory.boolValue {
            for name in ["tokenizer.json", "vocab.txt"] {
                let candidate = URL(fileURLWithPath: path).appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) { return try load(path: candidate, casing: casing) }
            }
            throw InputError("is a directory without tokenizer.json or vocab.txt", at: SourceLocation(path: path))
        }
        if path.hasSuffix(".json") { return try TokenizerJSON.load(path: path) }
        if path.hasSuffix(".model") { return try SentencePieceTokenizer.load(path: path) }
        let lowercase: Bool
        switch casing {
        case .cased: lowercase = false
        case .uncased: lowercase = true
        case .automatic: lowercase = try VocabularyText.lowercaseSetting(besides: path) ?? true
        }
        return try VocabularyText.load(path: path, lowercase: lowercase)
    }

    /// `model_max_length` from a model folder's `tokenizer_config.json`: the longest input the
    /// model takes. nil for a file, when absent, or HF's "no limit" sentinel (≥ 1e9).
    public static func modelMaxLength(folder: String) -> Int? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: folder + "/tokenizer_config.json"),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let length = (object["model_max_length"] as? NSNumber)?.doubleValue, length >= 1, length < 1e9 else { return nil }
        return Int(length)
    }
}
