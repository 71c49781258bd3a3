import DSPrepSupport

/// Checks a file for invalid UTF-8 and NUL bytes, front to back in steps that a parser's first
/// pass takes a little ahead of itself, so that later passes may copy string bytes without
/// decoding them and the file is read once to check and parse it.
///
/// NUL bytes are rejected: in a text file they almost always mean UTF-16 or binary data, and
/// a NUL-separated field would surprise every tool downstream.
struct UTF8Check {
    /// The branch-free automaton says whether the bytes so far are valid; only when they are not
    /// does `firstInvalidByte`, sequence by sequence, look for where.
    private var automaton = UTF8Automaton()
    /// Bytes checked so far, from the start of the file.
    private(set) var checked = 0

    /// Checks the bytes up to `end` not checked yet; throws an error naming the line, column and
    /// byte offset of the first bad byte. `body` sees each newly checked part (a digest reads it while it is hot).
    mutating func check(_ bytes: UnsafeRawBufferPointer, through end: Int, path: String,
                        _ body: (Range<Int>) -> Void) throws {
        let end = min(end, bytes.count)
        guard end > checked else { return }
        automaton.consume(bytes, from: checked, to: end)
        if automaton.failed { throw Self.error(in: bytes, after: checked, path: path) }
        body(checked..<end)
        checked = end
        // A sequence cut off by the end of the file.
        if checked == bytes.count && !automaton.isComplete { throw Self.error(in: bytes, after: checked, path: path) }
    }

    /// The error for the first bad byte at or after the sequence that holds byte `offset` (the
    /// bytes before it are valid).
    private static func error(in bytes: UnsafeRawBufferPointer, after offset: Int, path: String) -> InputError {
        var start = min(offset, bytes.count)
        // Back to the lead byte of the sequence `offset` may be inside of (at most 3 bytes back).
        while start > 0 && offset - start < 3 && bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        if start > 0 && bytes[start - 1] >= 0xC0 { start -= 1 }
        let found = UTF8Validation.firstInvalidOffset(in: UnsafeRawBufferPointer(rebasing: bytes[start...]), rejectingNUL: true)
        // `found` is never nil here: the automaton rejected these bytes (a sequence cut off by the end of the file included).
        return error(at: found.map { start + $0 } ?? bytes.count - 1, in: bytes, path: path)
    }

    private static func error(at offset: Int, in bytes: UnsafeRawBufferPointer, path: String) -> InputError {
        let position = LinePosition.of(offset, in: bytes)
        let location = SourceLocation(path: path, line: position.line, column: position.column, byteOffset: offset)
        if bytes[offset] == 0 {
            return InputError(
                "NUL byte in the file; expected UTF-8 text", at: location,
                hint: "the file may be UTF-16 or binary; convert it to UTF-8")
        }
        return InputError(
            "invalid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true)))", at: location,
            hint: "dsprep reads UTF-8 only; convert the file, e.g. iconv -f CP949 -t UTF-8")
    }
}

/// Line and byte column of an offset, found by counting line feeds: only used to report errors.
enum LinePosition {
    static func of(_ offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        let end = min(offset, bytes.count)
        while let newline = ByteSearch.find(UInt8(ascii: "\n"), in: bytes, from: index, to: end) {
            line += 1
            lineStart = newline + 1
            index = newline + 1
        }
        return (line, offset - lineStart + 1)
    }
}
