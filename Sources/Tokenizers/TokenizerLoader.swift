import DSPrepSupport
import Foundation

/// Opens whatever tokenizer file a user has, by its kind.
public enum TokenizerLoader {
    public enum Casing: Sendable { case automatic, cased, uncased }

    /// The tokenizer `path` names (`TokenizerPath`); a BERT vocab.txt is lowercased unless
    /// `casing` (or a `tokenizer_config.json` beside it with `do_lower_case: false`) says cased.
    public static func load(path: String, casing: Casing = .automatic) throws -> TextTokenizer {
        let resolved = try TokenizerPath(path)
        switch resolved.kind {
        case .tokenizerJSON: return try TokenizerJSON.load(path: resolved.file)
        case .sentencePiece: return try SentencePieceTokenizer.load(path: resolved.file)
        case .vocabularyText:
            let lowercase: Bool
            switch casing {
            case .cased: lowercase = false
            case .uncased: lowercase = true
            case .automatic: lowercase = try VocabularyText.lowercaseSetting(besides: resolved.file) ?? true
            }
            return try VocabularyText.load(path: resolved.file, lowercase: lowercase)
        }
    }

    /// `model_max_length` from a model folder's `tokenizer_config.json`: the longest input the
    /// model takes. nil for a file, when absent, or HF's "no limit" sentinel (≥ 1e9).
    public static func modelMaxLength(folder: String) -> Int? {
        var isDirectory: ObjCBool = false
        let path = folder + "/tokenizer_config.json"
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
              let file = try? MappedFile(path: path), let object = try? JSONValue.parse(file.bytes, path: path),
              case .number(let length)? = object["model_max_length"], length >= 1, length < 1e9 else { return nil }
        return Int(length)
    }
}
