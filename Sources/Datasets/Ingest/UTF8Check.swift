import DSPrepSupport

/// Checks a whole file up front for invalid UTF-8 and NUL bytes, so that later passes may copy
/// string bytes without decoding them.
///
/// NUL bytes are rejected: in a text file they almost always mean UTF-16 or binary data, and
/// a NUL-separated field would surprise every tool downstream.
enum UTF8Check {
    /// Throws an error naming the line, column and byte offset of the first bad byte.
    static func validate(_ bytes: UnsafeRawBufferPointer, path: String, pages: inout ConsumedPages) throws {
        // The branch-free automaton says whether the file is valid; only when it is not does
        // `firstInvalidByte`, sequence by sequence, look for where.
        var automaton = UTF8Automaton()
        let chunk = 4 << 20
        var start = 0
        while start < bytes.count && !automaton.failed {
            let end = min(start + chunk, bytes.count)
            automaton.consume(bytes, from: start, to: end)
            pages.release(upTo: end)
            start = end
        }
        if automaton.isComplete { return }
        if let offset = firstInvalidByte(bytes) {
            throw error(at: offset, in: bytes, path: path)
        }
        // Not reached: `firstInvalidByte` finds whatever the automaton rejected (a sequence cut off by
        // the end of the file included).
        throw error(at: bytes.count - 1, in: bytes, path: path)
    }

    /// The offset of the first byte that starts an invalid sequence or is NUL, if any.
    static func firstInvalidByte(_ bytes: UnsafeRawBufferPointer) -> Int? {
        UTF8Validation.firstInvalidOffset(in: bytes, rejectingNUL: true)
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
