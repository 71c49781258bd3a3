import DSPrepSupport
import Foundation
import Yams

/// A train config: YAML (or JSON, which YAML reads too) parsed by Yams. The top level maps
/// settings to values; a nested mapping is a section that only groups (`optimizer:` then
/// indented keys), where a key keeps its own name, except `type:` which takes its section's name
/// (`model:\n  type: bag` is `model: bag`). A mapping under `lr_scheduler_kwargs` gives entries
/// named `lr_scheduler_kwargs.KEY`; a list gives one entry whose values are its items. Every
/// entry names its file, line and column.
public enum ConfigFile {
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var value: String
        /// The items, when the value is a list (`value` then joins them with ",").
        public var items: [String]?
        public var location: SourceLocation

        public init(key: String, value: String, items: [String]? = nil, location: SourceLocation) {
            self.key = key
            self.value = value
            self.items = items
            self.location = location
        }
    }

    /// Settings whose value is a mapping of keyword arguments, as HF `TrainingArguments` has them.
    static let keywordMappings: Set<String> = ["lr_scheduler_kwargs"]

    public static func load(path: String) throws -> [Entry] {
        let file = try MappedFile(path: path)
        if let offset = UTF8Validation.firstInvalidOffset(in: file.bytes, rejectingNUL: true) {
            throw InputError("the config file is not valid UTF-8 text (byte \(offset))", at: SourceLocation(path: path, byteOffset: offset))
        }
        return try parse(String(decoding: file.bytes, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> [Entry] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw InputError("not valid YAML: \(describe(error))", at: location(of: error, path: path))
        }
        guard let root else { return [] }  // an empty file
        guard case .mapping(let mapping) = root else {
            throw InputError("expected a mapping of `setting: value` at the top", at: location(root, path))
        }
        var entries: [Entry] = []
        try collect(mapping, section: nil, path: path, into: &entries)
        return entries
    }

    private static func collect(_ mapping: Node.Mapping, section: String?, path: String, into entries: inout [Entry]) throws {
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode, !keyScalar.string.isEmpty else {
                throw InputError("expected a setting name", at: location(keyNode, path))
            }
            let key = keyScalar.string.replacingOccurrences(of: "-", with: "_")
            let at = location(keyNode, path)
            switch value {
            case .scalar(let scalar):
                entries.append(Entry(key: key == "type" ? (section ?? key) : key, value: scalar.string, location: at))
            case .sequence(let sequence):
                let items = try sequence.map { item -> String in
                    guard case .scalar(let scalar) = item else {
                        throw InputError("\(key) expects a list of plain values", at: location(item, path))
                    }
                    return scalar.string
                }
                entries.append(Entry(key: key, value: items.joined(separator: ","), items: items, location: at))
            case .mapping(let inner) where keywordMappings.contains(key):
                for (innerKey, innerValue) in inner {
                    guard case .scalar(let name) = innerKey, case .scalar(let scalar) = innerValue else {
                        throw InputError("\(key) expects `name: value` pairs", at: location(innerKey, path))
                    }
                    entries.append(Entry(key: key + "." + name.string, value: scalar.string, location: location(innerKey, path)))
                }
            case .mapping(let inner):
                try collect(inner, section: key, path: path, into: &entries)
            case .alias:
                throw InputError("YAML aliases are not supported in a train config", at: at)
            }
        }
    }

    private static func location(_ node: Node, _ path: String) -> SourceLocation {
        SourceLocation(path: path, line: node.mark?.line, column: node.mark?.column)
    }

    private static func location(of error: YamlError, path: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(path: path, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(path: path, line: context.mark.line, column: context.mark.column)
        default:
            return SourceLocation(path: path)
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "a setting appears twice: " + duplicates.joined(separator: ", ")
        default:
            return "\(error)"
        }
    }
}
