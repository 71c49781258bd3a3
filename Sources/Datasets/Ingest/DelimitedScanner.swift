import DSPrepSupport

/// Splits CSV, TSV or plain-text bytes into records and fields without copying: each field is
/// a byte range of the mapped file.
///
/// Records end at LF or CRLF. With quoting on (RFC 4180), a field that starts with `"` runs to
/// the next lone `"`, may hold delimiters and line breaks, and writes a quote as `""`; a `"`
/// elsewhere in an unquoted field is an ordinary byte. With quoting off, `"` is never special.
/// `line` always counts physical lines, so errors point at the line in the file even after
/// quoted fields that span lines.
struct DelimitedScanner {
    let bytes: UnsafeRawBufferPointer
    let path: String
    /// nil: a line is a single field (plain text).
    let delimiter: UInt8?
    let quoting: Bool
    /// CSV/TSV skip empty lines; plain text keeps them as empty rows.
    let skipsBlankLines: Bool

    /// Offset of the next unread byte.
    private(set) var position: Int
    /// Physical line (1-based) of `position`, and the offset where that line starts.
    private(set) var line = 1
    private var lineStart: Int

    /// The record last read: the line it starts on and its fields.
    private(set) var recordLine = 0
    var fieldCount: Int { fields.count }
    /// Shared by copies of the scanner: only the record last read is ever in it.
    private let fields = FieldSpans()

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let quote = UInt8(ascii: "\"")

    init(bytes: UnsafeRawBufferPointer, start: Int, path: String, delimiter: UInt8?, quoting: Bool, skipsBlankLines: Bool) {
        self.bytes = bytes
        self.path = path
        self.delimiter = delimiter
        self.quoting = quoting && delimiter != nil
        self.skipsBlankLines = skipsBlankLines
        position = start
        lineStart = start
    }

    @inline(__always)
    func field(_ index: Int) -> UnsafeRawBufferPointer {
        let span = fields[index]
        return UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
    }

    /// Whether the field was quoted with `""` escapes inside, and so needs `unescapedField`.
    @inline(__always)
    func isEscaped(_ index: Int) -> Bool { fields[index].escaped }

    /// The field with each `""` turned into `"`, written to `output`.
    func unescapedField(_ index: Int, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var previousWasQuote = false
        for byte in field(index) {
            if byte == Self.quote && previousWasQuote {
                previousWasQuote = false
                continue
            }
            previousWasQuote = byte == Self.quote
            output.append(byte)
        }
    }

    /// Reads the next record; false at the end of the file.
    mutating func nextRecord() throws -> Bool {
        while position < bytes.count {
            var lineEnd = ByteSearch.find(Self.newline, in: bytes, from: position, to: bytes.count) ?? bytes.count
            var contentEnd = contentEndOfLine(lineEnd, from: position)
            if skipsBlankLines && contentEnd == position {
                finishLine(at: lineEnd)
                continue
            }
            recordLine = line
            fields.removeAll()
            guard let delimiter else {
                addField(position, contentEnd, escaped: false)
                finishLine(at: lineEnd)
                return true
            }
            var cursor = position
            while true {
                if quoting && cursor < bytes.count && bytes[cursor] == Self.quote {
                    cursor = try readQuotedField(openingAt: cursor)
                    // The quoted field may have ended on a later physical line.
                    lineEnd = ByteSearch.find(Self.newline, in: bytes, from: cursor, to: bytes.count) ?? bytes.count
                    contentEnd = contentEndOfLine(lineEnd, from: cursor)
                    if cursor == contentEnd {
                        finishLine(at: lineEnd)
                        return true
                    }
                    guard bytes[cursor] == delimiter else {
                        throw InputError(
                            "unexpected character after a closing quote; expected a delimiter or the end of the line",
                            at: SourceLocation(path: path, line: line, column: cursor - lineStart + 1, byteOffset: cursor),
                            hint: "write a quote inside a quoted field as \"\", or turn quoting off")
                    }
                    cursor += 1
                } else if let next = ByteSearch.findNear(delimiter, in: bytes, from: cursor, to: contentEnd) {
                    addField(cursor, next, escaped: false)
                    cursor = next + 1
                } else {
                    addField(cursor, contentEnd, escaped: false)
                    finishLine(at: lineEnd)
                    return true
                }
            }
        }
        return false
    }

    /// Scans the quoted field whose opening quote is at `opening`; returns the offset just past
    /// its closing quote.
    private mutating func readQuotedField(openingAt opening: Int) throws -> Int {
        var searchFrom = opening + 1
        var escaped = false
        while true {
            guard let close = ByteSearch.find(Self.quote, in: bytes, from: searchFrom, to: bytes.count) else {
                throw InputError(
                    "unterminated quoted field: the quote opened here is never closed",
                    at: SourceLocation(path: path, line: line, column: opening - lineStart + 1, byteOffset: opening),
                    hint: "close the quote, or turn quoting off if quotes in this file are ordinary characters")
            }
            if close + 1 < bytes.count && bytes[close + 1] == Self.quote {
                escaped = true
                searchFrom = close + 2
                continue
            }
            addField(opening + 1, close, escaped: escaped)
            countLines(from: opening + 1, to: close)
            return close + 1
        }
    }

    @inline(__always)
    private func addField(_ start: Int, _ end: Int, escaped: Bool) {
        fields.append(FieldSpan(start: start, end: end, escaped: escaped))
    }

    /// End of a line's content: before a CR that precedes the LF (or ends the file).
    @inline(__always)
    private func contentEndOfLine(_ lineEnd: Int, from start: Int) -> Int {
        lineEnd > start && bytes[lineEnd - 1] == Self.carriageReturn ? lineEnd - 1 : lineEnd
    }

    @inline(__always)
    private mutating func finishLine(at lineEnd: Int) {
        if lineEnd < bytes.count {
            position = lineEnd + 1
            line += 1
            lineStart = position
        } else {
            position = bytes.count
        }
    }

    /// Counts line feeds inside a quoted field so that `line` stays the physical line.
    private mutating func countLines(from start: Int, to end: Int) {
        var index = start
        while let newline = ByteSearch.find(Self.newline, in: bytes, from: index, to: end) {
            line += 1
            lineStart = newline + 1
            index = newline + 1
        }
    }
}

struct FieldSpan {
    var start: Int
    var end: Int
    var escaped: Bool
}

/// The field spans of one record in a reused allocation. A class with a raw pointer rather than
/// an array: appending a field is the scanner's innermost step, and an array would check its
/// uniqueness and bounds each time.
final class FieldSpans {
    private var storage: UnsafeMutablePointer<FieldSpan>
    private var capacity = 16
    private(set) var count = 0

    init() { storage = .allocate(capacity: capacity) }

    deinit { storage.deallocate() }

    @inline(__always)
    subscript(index: Int) -> FieldSpan {
        precondition(index >= 0 && index < count, "field index out of range")
        return storage[index]
    }

    @inline(__always)
    func removeAll() { count = 0 }

    @inline(__always)
    func append(_ span: FieldSpan) {
        if count == capacity { grow() }
        (storage + count).initialize(to: span)
        count += 1
    }

    @inline(never)
    private func grow() {
        let larger = UnsafeMutablePointer<FieldSpan>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}
