/// A JSON document with object keys kept in file order: read with errors that name file, line and
/// column (through `JSONScanner`, the same validating lexer the JSON ingest uses) and written back
/// in a stable key order, in the layout of the tool whose files we write.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// An object's member; setting one replaces it in place or appends it, nil removes it (an
    /// array or scalar becomes an object when a member is set).
    public subscript(key: String) -> JSONValue? {
        get {
            guard case let .object(members) = self else { return nil }
            return members.first { $0.0 == key }?.1
        }
        set {
            var members = objectValue ?? []
            if let index = members.firstIndex(where: { $0.0 == key }) {
                if let newValue { members[index].1 = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
            self = .object(members)
        }
    }

    public var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var intValue: Int? { exactInteger(as: Int.self) }

    /// The whole number this value spells exactly (within ±(2^53 − 1), see `largestExactInteger`), if `T` holds it.
    public func exactInteger<T: FixedWidthInteger>(as type: T.Type) -> T? {
        guard case let .number(n) = self, n.magnitude <= JSONValue.largestExactInteger else { return nil }
        return T(exactly: n)
    }

    /// `value` as a number, or nil beyond ±(2^53 − 1), where a JSON number stops naming one integer.
    public static func exactNumber<T: BinaryInteger>(_ value: T) -> JSONValue? {
        let number = Double(value)
        return number.magnitude <= largestExactInteger ? .number(number) : nil
    }
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case let .object(o) = self { return o } else { return nil } }
}

// MARK: - Writing

extension JSONValue {
    public enum Layout: Sendable {
        /// HF tokenizers' `tokenizer.json`: two-space indentation, arrays of scalars on one line,
        /// non-ASCII text as is.
        case readable
        /// Python's `json.dumps(x)` (indent nil: `", "` and `": "` separators on one line) or
        /// `json.dumps(x, indent=n)`, non-ASCII escaped as `\uXXXX` — what `datasets` writes.
        case pythonDumps(indent: Int?)
    }

    public func serialized(_ layout: Layout = .readable) -> String {
        var output = ""
        write(to: &output, layout: layout, depth: 0)
        return output
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(to output: inout String, layout: Layout, depth: Int) {
        switch self {
        case .null: output += "null"
        case let .bool(b): output += b ? "true" : "false"
        case let .number(n):
            if n == n.rounded(), abs(n) < 9e15 { output += String(Int(n)) } else { output += String(n) }
        case let .string(s): JSONValue.writeString(s, to: &output, asciiOnly: layout.escapesNonASCII)
        case let .array(items):
            writeContainer(items.map { (nil, $0) }, open: "[", close: "]", to: &output, layout: layout, depth: depth)
        case let .object(members):
            writeContainer(members.map { ($0.0, $0.1) }, open: "{", close: "}", to: &output, layout: layout, depth: depth)
        }
    }

    private func writeContainer(_ items: [(String?, JSONValue)], open: String, close: String,
                                to output: inout String, layout: Layout, depth: Int) {
        output += open
        guard !items.isEmpty else { output += close; return }
        let indent: Int?
        switch layout {
        case .readable:
            // Keyless lists of scalars (ids, merges) stay on one line.
            indent = items.allSatisfy({ $0.0 == nil && $0.1.isScalar }) ? nil : 2
        case .pythonDumps(let width):
            indent = width
        }
        let newline = indent.map { "\n" + String(repeating: " ", count: $0 * (depth + 1)) }
        for (index, item) in items.enumerated() {
            if index > 0 { output += newline == nil ? ", " : "," }
            if let newline { output += newline }
            if let key = item.0 {
                JSONValue.writeString(key, to: &output, asciiOnly: layout.escapesNonASCII)
                output += ": "
            }
            item.1.write(to: &output, layout: layout, depth: depth + 1)
        }
        if let indent { output += "\n" + String(repeating: " ", count: indent * depth) }
        output += close
    }

    private static func writeString(_ string: String, to output: inout String, asciiOnly: Bool) {
        var bytes: [UInt8] = []
        JSONStringLiteral.append(string, asciiOnly: asciiOnly, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }
}

extension JSONValue.Layout {
    var escapesNonASCII: Bool { if case .pythonDumps = self { return true } else { return false } }
}

// MARK: - Parsing

extension JSONValue {
    /// Parses a whole JSON document; errors name `path`, line and column.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> JSONValue {
        var scanner = JSONScanner(bytes: bytes, start: 0, path: path, recordsEndAtNewline: false)
        var scratch: [UInt8] = []
        let value = try read(&scanner, scratch: &scratch, depth: 0)
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.error("expected the end of the file after the JSON value, found \(scanner.foundDescription)") }
        return value
    }

    /// Reads the JSON object in the file at `path`; `what` names it in errors ("model config").
    public static func readObject(at path: String, what: String) throws -> JSONValue {
        let file = try MappedFile(path: path)
        let document = try parse(file.bytes, path: path)
        guard document.objectValue != nil else { throw InputError("the \(what) is not a JSON object", at: SourceLocation(path: path)) }
        return document
    }

    public static func parse(_ text: String, path: String) throws -> JSONValue {
        var copy = text
        return try copy.withUTF8 { try parse(UnsafeRawBufferPointer($0), path: path) }
    }

    private static func read(_ scanner: inout JSONScanner, scratch: inout [UInt8], depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw scanner.error("JSON nested more than 512 levels deep") }
        let start = scanner.position
        switch try scanner.readValue() {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let range, _):
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
            guard let number = Double(text) else { throw scanner.error("number \(text) is out of range", at: start) }
            return .number(number)
        case .string(let range, _):
            return .string(try string(range, scanner: scanner, scratch: &scratch))
        case .arrayStart:
            var items: [JSONValue] = []
            if try closes("]", &scanner) { return .array(items) }
            repeat {
                items.append(try read(&scanner, scratch: &scratch, depth: depth + 1))
            } while try continues(closing: "]", in: "an array", &scanner)
            return .array(items)
        case .objectStart:
            var members: [(String, JSONValue)] = []
            if try closes("}", &scanner) { return .object(members) }
            repeat {
                scanner.skipWhitespace()
                let keyStart = scanner.position
                guard case .string(let range, _) = try scanner.readValue() else {
                    throw scanner.error("expected a string key", at: keyStart)
                }
                let key = try string(range, scanner: scanner, scratch: &scratch)
                try scanner.expect(UInt8(ascii: ":"), "':' after the key")
                members.append((key, try read(&scanner, scratch: &scratch, depth: depth + 1)))
            } while try continues(closing: "}", in: "an object", &scanner)
            return .object(members)
        }
    }

    /// Consumes `close` if the container is empty.
    private static func closes(_ close: Unicode.Scalar, _ scanner: inout JSONScanner) throws -> Bool {
        scanner.skipWhitespace()
        guard scanner.current == UInt8(ascii: close) else { return false }
        scanner.position += 1
        return true
    }

    /// After an element: true on `,`, false on `close`, an error otherwise.
    private static func continues(closing close: Unicode.Scalar, in what: String, _ scanner: inout JSONScanner) throws -> Bool {
        scanner.skipWhitespace()
        switch scanner.current {
        case UInt8(ascii: ","): scanner.position += 1; return true
        case UInt8(ascii: close): scanner.position += 1; return false
        default: throw scanner.error("expected ',' or '\(close)' in \(what), found \(scanner.foundDescription)")
        }
    }

    private static func string(_ range: Range<Int>, scanner: JSONScanner, scratch: inout [UInt8]) throws -> String {
        scanner.decodeString(range, into: &scratch)
        guard let text = String(validating: scratch, as: UTF8.self) else {
            throw scanner.error("invalid UTF-8 in a string", at: range.lowerBound)
        }
        return text
    }
}
