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
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        var index = 0
        while index < count {
            // Fast path: eight ASCII bytes, none of them NUL.
            if index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let hasZero = (word &- ones) & ~word & highBits
                if (word | hasZero) & highBits == 0 {
                    index += 8
                    continue
                }
            }
            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                if lead == 0 { return index }
                index += 1
                continue
            }
            let length = sequenceLength(base, at: index, count: count)
            if length == 0 { return index }
            index += length
        }
        return nil
    }

    /// Length of the valid UTF-8 sequence starting with a non-ASCII byte at `index`, 0 if invalid
    /// (overlong forms, surrogates and values past U+10FFFF are invalid, as Unicode requires).
    @inline(__always)
    private static func sequenceLength(_ base: UnsafeRawPointer, at index: Int, count: Int) -> Int {
        @inline(__always) func byte(_ offset: Int) -> UInt8 {
            index + offset < count ? base.load(fromByteOffset: index + offset, as: UInt8.self) : 0
        }
        @inline(__always) func isContinuation(_ value: UInt8) -> Bool { value & 0xC0 == 0x80 }
        let lead = byte(0)
        let second = byte(1)
        switch lead {
        case 0xC2...0xDF:
            return isContinuation(second) ? 2 : 0
        case 0xE0...0xEF:
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
            return (low...high).contains(second) && isContinuation(byte(2)) ? 3 : 0
        case 0xF0...0xF4:
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
            return (low...high).contains(second) && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        default:
            return 0
        }
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
