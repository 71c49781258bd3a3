/// A small JSON document with ordered object keys, for the metadata files HF reads
/// (`dataset_info.json`, `state.json`, `dataset_dict.json`, the `huggingface` schema metadata).
/// It renders as Python's `json.dumps` does (`", "`/`": "` separators, `\uXXXX` for non-ASCII), so
/// the files we write look like the ones `save_to_disk` writes. Parsing uses Foundation.
indirect enum JSONText {
    case null
    case bool(Bool)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    /// Compact (`json.dumps(x)`) or indented (`json.dumps(x, indent=2)`).
    func rendered(indent: Int? = nil) -> String {
        var text = ""
        render(into: &text, indent: indent, depth: 0)
        return text
    }

    private func render(into text: inout String, indent: Int?, depth: Int) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .string(let value): Self.quote(value, into: &text)
        case .array(let elements):
            renderContainer(elements.map { (nil, $0) }, open: "[", close: "]", into: &text, indent: indent, depth: depth)
        case .object(let members):
            renderContainer(members.map { ($0.0, $0.1) }, open: "{", close: "}", into: &text, indent: indent, depth: depth)
        }
    }

    private func renderContainer(
        _ items: [(String?, JSONText)], open: String, close: String, into text: inout String, indent: Int?, depth: Int
    ) {
        text += open
        guard !items.isEmpty else { text += close; return }
        let newline = indent.map { "\n" + String(repeating: " ", count: $0 * (depth + 1)) }
        for (index, item) in items.enumerated() {
            if index > 0 { text += newline == nil ? ", " : "," }
            if let newline { text += newline }
            if let key = item.0 {
                Self.quote(key, into: &text)
                text += ": "
            }
            item.1.render(into: &text, indent: indent, depth: depth + 1)
        }
        if let indent { text += "\n" + String(repeating: " ", count: indent * depth) }
        text += close
    }

    private static func quote(_ value: String, into text: inout String) {
        text += "\""
        for unit in value.utf16 {
            switch unit {
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x09: text += "\\t"
            case 0x08: text += "\\b"
            case 0x0C: text += "\\f"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        text += "\""
    }
}
