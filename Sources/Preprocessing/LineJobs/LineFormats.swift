/// How `dsprep encode` and `dsprep decode` read their lines.
public enum LineInputFormat: String, CaseIterable, Sendable {
    /// each line is a document
    case text
    /// each line is a JSON object holding the text (and a pair)
    case jsonl
}

/// What `dsprep encode` prints per document.
public enum TokenOutputFormat: String, CaseIterable, Sendable {
    /// ids separated by spaces
    case id
    /// token texts separated by spaces
    case piece
    /// {"ids", "tokens", "offsets"} (and "type_ids", "overflowing")
    case json
}
