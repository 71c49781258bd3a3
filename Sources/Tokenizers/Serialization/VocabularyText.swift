import DSPrepSupport
import Foundation

/// A plain BERT `vocab.txt` (one token per line, id = line number) with BERT's defaults:
/// BertNormalizer (lowercase and strip accents unless cased), BertPreTokenizer, WordPiece,
/// `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`, WordPiece decoder. This is what HF
/// tokenizers builds from `WordPiece.from_file` (no added tokens: `[CLS]` typed in the text is
/// split like any other text).
public enum VocabularyText {
    public static func load(path: String, lowercase: Bool) throws -> Tokenizer {
        let file = try MappedFile(path: path)
        var entries: [(String, Int32)] = []
        var lineNumber = 0
        var lineStart = 0
        let bytes = file.bytes
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            lineNumber += 1
            guard let line = String(validating: UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self) else {
                throw InputError("invalid UTF-8", at: SourceLocation(path: path, line: lineNumber))
            }
            // HF trims trailing whitespace (which also drops a Windows "\r").
            var scalars = Substring(line).unicodeScalars[...]
            while let last = scalars.last, CharacterClasses.flags(last.value).contains(.whitespace) { scalars.removeLast() }
            entries.append((String(String.UnicodeScalarView(scalars)), Int32(lineNumber - 1)))
            lineStart = lineEnd + 1
        }
        guard !entries.isEmpty else { throw InputError("empty vocabulary", at: SourceLocation(path: path)) }
        let model = WordPiece(vocabulary: entries)
        guard model.unkID != nil else {
            throw InputError("no [UNK] token in the vocabulary", at: SourceLocation(path: path),
                             hint: "a BERT vocab.txt lists [PAD], [UNK], [CLS], [SEP], [MASK] among its first lines")
        }
        var specials: [TemplateProcessing.SpecialToken] = []
        for name in ["[CLS]", "[SEP]"] {
            guard let id = model.id(of: name) else {
                throw InputError("no \(name) token in the vocabulary", at: SourceLocation(path: path))
            }
            specials.append(.init(id: name, ids: [id], tokens: [name]))
        }
        let template = try TemplateProcessing(single: "[CLS] $A [SEP]", pair: "[CLS] $A [SEP] $B:1 [SEP]:1", specialTokens: specials)
        return try Tokenizer(normalizer: BertNormalizer(lowercase: lowercase), preTokenizer: BertPreTokenizer(), model: model,
                             postProcessor: template, decoder: WordPieceDecoder())
    }

    /// Casing from a `tokenizer_config.json` beside the vocabulary (`do_lower_case`), if any.
    public static func lowercaseSetting(besides vocabularyPath: String) throws -> Bool? {
        let configPath = URL(fileURLWithPath: vocabularyPath).deletingLastPathComponent()
            .appendingPathComponent("tokenizer_config.json").path
        guard FileManager.default.fileExists(atPath: configPath) else { return nil }
        let file = try MappedFile(path: configPath)
        let json = try JSONValue.parse(file.bytes, path: configPath)
        return json["do_lower_case"]?.boolValue
    }
}
