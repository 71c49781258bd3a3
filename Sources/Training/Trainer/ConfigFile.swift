import DSPrepSupport
import Foundation

/// The YAML subset a `train.yaml` needs: `key: value` lines, optionally grouped under sections
/// (`optimizer:` then indented keys), `#` comments, quoted or plain scalars. Sections only group:
/// a key keeps its own name wherever it sits, except `type:` which takes its section's name
/// (`model:\n  type: bag` is `model: bag`). Anything else (lists, flow maps, anchors) is an
/// error naming the line, rather than a silent misreading.
public enum ConfigFile {
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: String
        public var location: SourceLocation
    }

    public static func load(path: String) throws -> [Entry] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw InputError("cannot read the config file: \(error.localizedDescription)", at: SourceLocation(path: path))
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> [Entry] {
        var entries: [Entry] = []
        // (indent, name) of the open sections, innermost last
        var sections: [(indent: Int, name: String)] = []
        // "\r\n" is one Character in Swift: splitting on "\n" alone would read a CRLF file as one line.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let location = SourceLocation(path: path, line: index + 1)
            let line = stripComment(String(rawLine)).replacingOccurrences(of: "\r", with: "")
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content == "---" { continue }
            let indent = line.prefix { $0 == " " }.count
            try check(!line.hasPrefix("\t"), "tabs cannot indent YAML; use spaces", at: location)
            guard let colon = content.firstIndex(of: ":") else {
                throw InputError("expected `key: value`, got \"\(content)\"", at: location)
            }
            let key = content[..<colon].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "_")
            let value = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            try check(!key.isEmpty && !key.hasPrefix("-"), "lists are not supported in a train config", at: location)
            while let last = sections.last, last.indent >= indent { sections.removeLast() }
            if value.isEmpty {
                sections.append((indent, key))
                continue
            }
            try check(!value.hasPrefix("[") && !value.hasPrefix("{") && !value.hasPrefix("&") && !value.hasPrefix("*")
                      && value != "|" && value != ">",
                      "only plain scalars are supported (got \"\(value)\" for \(key))", at: location)
            let name = key == "type" ? (sections.last?.name ?? key) : key
            entries.append(Entry(key: name, value: unquote(value), location: location))
        }
        return entries
    }

    /// Drops a `#` comment that starts a line or follows a space, outside quotes.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" && previous == " " {
                return String(line.prefix(offset))
            }
            previous = character
        }
        return line
    }

    static func unquote(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" else { return value }
        return String(value.dropFirst().dropLast())
    }
}
