import DSPrepSupport
import Foundation
import Tokenizers

/// Input for line-oriented commands: a memory-mapped file or all of standard input, split on
/// LF bytes only (a "\r" stays in the line, as Python's `open(newline="\n")` keeps it).
public struct LineInput {
    public let name: String
    public let bytes: UnsafeRawBufferPointer
    /// Keeps the mapping (or the stdin copy) alive.
    let owner: AnyObject

    public static func file(_ path: String) throws -> LineInput {
        let mapped = try MappedFile(path: path)
        mapped.adviseSequential()
        return LineInput(name: path, bytes: mapped.bytes, owner: mapped)
    }

    public static func standardInput() -> LineInput {
        let data = NSData(data: FileHandle.standardInput.readDataToEndOfFile())
        return LineInput(name: "<stdin>", bytes: UnsafeRawBufferPointer(start: data.bytes, count: data.length), owner: data)
    }

    /// The documents of this input: line byte ranges (validated UTF-8), or the extracted JSON
    /// field (and pair field) of each line; without `field`, the fields are found by name in the
    /// first object, as `tokenize` finds its columns.
    public func documents(format: LineInputFormat, field: String? = nil, pairField: String? = nil, threads: Int) throws -> Documents {
        var ranges: [Range<Int>] = []
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            if let base = bytes.baseAddress, let found = memchr(base + start, 0x0A, count - start) {
                end = base.distance(to: UnsafeRawPointer(found))
            } else {
                end = count
            }
            ranges.append(start..<end)
            start = end + 1
        }
        switch format {
        case .text:
            try validateUTF8(ranges, threads: threads)
            return Documents(input: self, lines: ranges, texts: nil, pairs: nil)
        case .jsonl:
            var texts: [String] = [], pairs: [String] = []
            var fields: (text: String, pair: String?)?
            for (index, range) in ranges.enumerated() {
                let location = SourceLocation(path: name, line: index + 1)
                let object = try Self.object(UnsafeRawBufferPointer(rebasing: bytes[range]), at: location)
                func string(_ key: String) throws -> String {
                    guard let value = object[key] else { throw InputError("no field \"\(key)\"", at: location) }
                    guard let text = value.stringValue else { throw InputError("field \"\(key)\" is not a string", at: location) }
                    return text
                }
                let chosen = try fields ?? Self.fields(of: object, text: field, pair: pairField, at: location)
                fields = chosen
                texts.append(try string(chosen.text))
                if let pair = chosen.pair { pairs.append(try string(pair)) }
            }
            return Documents(input: self, lines: ranges, texts: texts, pairs: fields?.pair == nil ? nil : pairs)
        }
    }

    /// One line's JSON object, read by the lexer `ingest` reads JSON with: the two accept the same
    /// lines, and an error names the line and column.
    private static func object(_ line: UnsafeRawBufferPointer, at location: SourceLocation) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, path: location.path)
        } catch var error as InputError {
            error.location = SourceLocation(path: location.path, line: location.line, column: error.location?.column)
            throw error
        }
        guard let members = value.objectValue else { throw InputError("expected a JSON object", at: location) }
        var keys = Set<String>()
        for (key, _) in members where !keys.insert(key).inserted {
            throw InputError("duplicate key '\(key)' in one object", at: location)
        }
        return value
    }

    /// The text and pair fields: as given, else the first string fields named as `ColumnRoles`
    /// names text columns (and, with the text found so, pair columns).
    private static func fields(of object: JSONValue, text: String?, pair: String?,
                               at location: SourceLocation) throws -> (text: String, pair: String?) {
        if let text { return (text, pair) }
        let members = object.objectValue ?? []
        let named = { (names: [String]) in
            names.lazy.compactMap { name in members.first { $0.0.lowercased() == name && $0.1.stringValue != nil }?.0 }.first
        }
        guard let found = named(ColumnRoles.textNames) else {
            throw InputError("cannot tell which field holds the text", at: location, hint: "pass --text-column NAME")
        }
        return (found, pair ?? named(ColumnRoles.pairNames))
    }

    /// Checks every line on all cores; the error names the first bad line and its byte column.
    private func validateUTF8(_ ranges: [Range<Int>], threads: Int) throws {
        let chunk = LineEncoder.chunkLines
        _ = try Parallel.map((ranges.count + chunk - 1) / chunk, threads: threads) { part in
            for index in part * chunk..<min(ranges.count, (part + 1) * chunk) {
                if let offset = UTF8Validation.firstInvalidOffset(in: UnsafeRawBufferPointer(rebasing: bytes[ranges[index]])) {
                    throw InputError("invalid UTF-8", at: SourceLocation(path: name, line: index + 1, column: offset + 1),
                                     hint: "dsprep encode reads UTF-8 text, one document per line")
                }
            }
        }
    }
}

/// The documents of one input, by index.
public struct Documents {
    public let input: LineInput
    let lines: [Range<Int>]
    let texts: [String]?
    /// The second text of each document, for sentence-pair input.
    public let pairs: [String]?

    public var count: Int { lines.count }

    /// The UTF-8 bytes of document `index` (validated when the documents were made).
    public func withUTF8<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let texts {
            var text = texts[index]
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        return try body(UnsafeRawBufferPointer(rebasing: input.bytes[lines[index]]))
    }

    public func text(_ index: Int) -> String {
        if let texts { return texts[index] }
        return String(decoding: UnsafeRawBufferPointer(rebasing: input.bytes[lines[index]]), as: UTF8.self)
    }
}
