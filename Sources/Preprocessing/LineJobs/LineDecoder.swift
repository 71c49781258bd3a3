import DSPrepSupport
import Tokenizers

/// What `dsprep decode` reads: a line of token ids per text.
public enum LineDecoder {
    /// The ids of every line of `documents`: fields split on spaces and tabs, each a decimal
    /// token id the tokenizer has a token for.
    public static func ids(of documents: Documents, tokenizer: TextTokenizer) throws -> [[Int32]] {
        try (0..<documents.count).map { index in
            try documents.withUTF8(index) { line -> [Int32] in
                var ids: [Int32] = []
                var column = 0
                // Spaces, tabs and a CRLF file's carriage returns separate ids.
                let separates = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D }
                while column < line.count {
                    if separates(line[column]) {
                        column += 1
                        continue
                    }
                    let start = column
                    while column < line.count && !separates(line[column]) { column += 1 }
                    let field = UnsafeRawBufferPointer(rebasing: line[start..<column])
                    let location = SourceLocation(path: documents.input.name, line: index + 1, column: start + 1)
                    guard let id = Int32(String(decoding: field, as: UTF8.self)), id >= 0 else {
                        throw InputError("expected a token id (a non-negative integer), found \(String(decoding: field, as: UTF8.self).debugDescription)",
                                         at: location, hint: "dsprep decode reads one line of space-separated ids per text")
                    }
                    guard tokenizer.token(of: id) != nil else {
                        throw InputError("token id \(id) is not in the tokenizer's vocabulary (\(tokenizer.vocabularySize) tokens)",
                                         at: location)
                    }
                    ids.append(id)
                }
                return ids
            }
        }
    }
}
