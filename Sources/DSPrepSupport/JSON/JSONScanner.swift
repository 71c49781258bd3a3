/// A JSON value's first token, as read by `JSONScanner`. Strings and numbers are byte ranges of
/// the file (no copy); arrays and objects are only opened, the caller reads their contents.
package enum JSONToken {
    case null
    case bool(Bool)
    /// `isInteger`: spelled without fraction or exponent (it may still exceed Int64).
    case number(Range<Int>, isInteger: Bool)
    /// The bytes between the quotes; `hasEscapes` says whether `decodeString` must be used.
    case string(Range<Int>, hasEscapes: Bool)
    case arrayStart
    case objectStart
}

/// A small pull tokenizer for JSON (RFC 8259) over UTF-8 bytes, validating as it goes: escapes
/// (including `\uXXXX` surrogate pairs), number syntax, and no raw control characters in strings.
/// It tracks the physical line so errors name line and byte column.
package struct JSONScanner {
    package let bytes: UnsafeRawBufferPointer
    package let path: String
    /// JSON Lines: a record must not continue on the next line, so a line break where a token
    /// is expected is an error on the broken line rather than a confusing one on the next.
    let recordsEndAtNewline: Bool
    package var position: Int
    package private(set) var line = 1
    private var lineStart: Int

    package init(bytes: UnsafeRawBufferPointer, start: Int, path: String, recordsEndAtNewline: Bool) {
        self.bytes = bytes
        self.path = path
        self.recordsEndAtNewline = recordsEndAtNewline
        position = start
        lineStart = start
    }

    package var atEnd: Bool { position >= bytes.count }

    package func error(_ message: String, at offset: Int? = nil, hint: String? = nil) -> InputError {
        let offset = offset ?? position
        return InputError(
            message, at: SourceLocation(path: path, line: line, column: offset - lineStart + 1, byteOffset: offset),
            hint: hint)
    }

    /// The byte at the cursor, or nil at the end of the file.
    @inline(__always)
    package var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Skips spaces, tabs and CRs, and line feeds unless records end at them.
    @inline(__always)
    package mutating func skipWhitespace() {
        skipWhitespace(includingNewlines: !recordsEndAtNewline)
    }

    package mutating func skipWhitespace(includingNewlines: Bool) {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "\n") where includingNewlines:
                position += 1
                line += 1
                lineStart = position
            default:
                return
            }
        }
    }

    /// Describes the cursor's byte for "expected X, found Y" messages.
    package var foundDescription: String {
        guard let byte = current else { return "the end of the file" }
        if byte == UInt8(ascii: "\n") { return "the end of the line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    /// Consumes `byte` after whitespace or fails with "expected `what`".
    package mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard current == byte else { throw error("expected \(what), found \(foundDescription)") }
        position += 1
    }

    /// Reads the first token of a value after whitespace.
    package mutating func readValue() throws -> JSONToken {
        skipWhitespace()
        guard let byte = current else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""): return try readString()
        case UInt8(ascii: "{"):
            position += 1
            return .objectStart
        case UInt8(ascii: "["):
            position += 1
            return .arrayStart
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try readLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try readNumber()
        default:
            throw error("expected a value, found \(foundDescription)")
        }
    }

    /// Reads the elements of an array whose `[` was just read; lists hold only scalars.
    package mutating func readScalarElements(into elements: inout [JSONToken]) throws {
        elements.removeAll(keepingCapacity: true)
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            let elementStart = position
            let element = try readValue()
            switch element {
            case .arrayStart, .objectStart:
                throw error(
                    "nested array or object inside a list; expected numbers, strings, bools or nulls",
                    at: elementStart, hint: "flatten the data first (e.g. with jq)")
            default:
                elements.append(element)
            }
            skipWhitespace()
            guard let byte = current, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") else {
                throw error("expected ',' or ']' in a list, found \(foundDescription)")
            }
            position += 1
            if byte == UInt8(ascii: "]") { return }
        }
    }

    private mutating func readLiteral(_ word: StaticString) throws {
        let start = position
        let count = word.utf8CodeUnitCount
        let letters = word.utf8Start
        guard start + count <= bytes.count, (0..<count).allSatisfy({ bytes[start + $0] == letters[$0] }) else {
            throw error("expected a value, found \(foundDescription)")
        }
        position += count
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func readNumber() throws -> JSONToken {
        let start = position
        @inline(__always) func digits() -> Int {
            let first = position
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
            return position - first
        }
        if current == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("invalid number: expected a digit", at: position) }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw error("invalid number: leading zero", at: integerStart)
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            position += 1
            isInteger = false
            guard digits() > 0 else { throw error("invalid number: expected a digit after '.'", at: position) }
        }
        if let byte = current, byte | 0x20 == UInt8(ascii: "e") {
            position += 1
            isInteger = false
            if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { position += 1 }
            guard digits() > 0 else { throw error("invalid number: expected exponent digits", at: position) }
        }
        return .number(start..<position, isInteger: isInteger)
    }

    /// Reads a string whose opening quote is at the cursor, checking its escapes.
    private mutating func readString() throws -> JSONToken {
        position += 1
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return .string(start..<(position - 1), hasEscapes: hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try checkEscape()
                continue
            }
            if byte < 0x20 {
                let what = byte == UInt8(ascii: "\n") ? "unterminated string: the line ends inside it" : "raw control character in a string"
                throw error(what, at: position, hint: byte == UInt8(ascii: "\n") ? nil : "write it as a \\u escape")
            }
            position += 1
        }
        throw error("unterminated string: the file ends inside it", at: start - 1)
    }

    /// Checks the escape at the cursor (`\` included) and moves past it; a high surrogate must be
    /// followed by an escaped low surrogate, and a low one must not stand alone.
    private mutating func checkEscape() throws {
        let escapeStart = position
        guard position + 1 < bytes.count else { throw error("unterminated string: the file ends inside it") }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard let unit = Self.hexUnit(bytes, at: position + 2) else {
                throw error("invalid \\u escape: expected four hex digits", at: escapeStart)
            }
            position += 6
            if (0xDC00...0xDFFF).contains(unit) {
                throw error("invalid \\u escape: a low surrogate without a high one", at: escapeStart)
            }
            if (0xD800...0xDBFF).contains(unit) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u"),
                    let low = Self.hexUnit(bytes, at: position + 2), (0xDC00...0xDFFF).contains(low)
                else {
                    throw error("invalid \\u escape: a high surrogate must be followed by a low one", at: escapeStart)
                }
                position += 6
            }
        default:
            throw error("invalid escape in a string", at: escapeStart, hint: "valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    /// The UTF-16 code unit spelled by four hex digits at `offset`.
    private static func hexUnit(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        var unit: UInt32 = 0
        for index in offset..<(offset + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    /// Writes a string token's text, escapes resolved, as UTF-8 to `output`. The token was
    /// checked by `readString`.
    package func decodeString(_ range: Range<Int>, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < range.upperBound else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Self.hexUnit(bytes, at: index) ?? 0xFFFD
                index += 4
                if (0xD800...0xDBFF).contains(scalar), index + 6 <= range.upperBound,
                    let low = Self.hexUnit(bytes, at: index + 2), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &output)
            default: output.append(escaped)
            }
        }
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(0xC0 | UInt8(value >> 6))
            output.append(0x80 | UInt8(value & 0x3F))
        case 0x800..<0x10000:
            output.append(0xE0 | UInt8(value >> 12))
            output.append(0x80 | UInt8((value >> 6) & 0x3F))
            output.append(0x80 | UInt8(value & 0x3F))
        default:
            output.append(0xF0 | UInt8(value >> 18))
            output.append(0x80 | UInt8((value >> 12) & 0x3F))
            output.append(0x80 | UInt8((value >> 6) & 0x3F))
            output.append(0x80 | UInt8(value & 0x3F))
        }
    }
}
