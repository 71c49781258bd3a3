#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a text cell looks like, for type inference.
enum CellKind {
    case empty, integer, float, bool, text
}

/// Parsing of cell text (UTF-8 bytes) into typed values. The accepted spellings:
/// - integer: `[+-]?[0-9]+` within Int64;
/// - float: `[+-]?` digits with an optional `.` fraction and `e`/`E` exponent (`1.`, `.5`, `1e-3`);
/// - bool: `true`/`false` in any letter case.
/// Surrounding spaces make a cell text: values are taken as written.
///
/// Inference (`classify`) is stricter than parsing, so that no text is lost by reading it as a
/// number: a leading zero (`007`, `0002`, `00.5`) or more digits than Int64 holds make a cell
/// text, as ids and codes are. An overridden type parses them (`label:int64` reads `007` as 7).
enum CellText {
    static func classify(_ cell: UnsafeRawBufferPointer) -> CellKind {
        if cell.isEmpty { return .empty }
        if parseInt64(cell) != nil { return hasLeadingZero(cell) ? .text : .integer }
        if isFloatSyntax(cell) { return isIntegerSyntax(cell) || hasLeadingZero(cell) ? .text : .float }
        if parseBool(cell) != nil { return .bool }
        return .text
    }

    /// Whether the integer part has a zero followed by another digit.
    @inline(__always)
    private static func hasLeadingZero(_ cell: UnsafeRawBufferPointer) -> Bool {
        let start = cell.first == UInt8(ascii: "-") || cell.first == UInt8(ascii: "+") ? 1 : 0
        return start + 1 < cell.count && cell[start] == UInt8(ascii: "0") && cell[start + 1] &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func parseInt64(_ cell: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        var negative = false
        if let first = cell.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < cell.count else { return nil }
        if cell.count - index <= 18 {
            // Up to 18 digits cannot overflow: no checks in the common case.
            var value: Int64 = 0
            while index < cell.count {
                let digit = cell[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
                index += 1
            }
            return negative ? -value : value
        }
        // Accumulate negatively so that Int64.min parses.
        var value: Int64 = 0
        while index < cell.count {
            let digit = cell[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowSubtract) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !overflowMultiply, !overflowSubtract else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// Digits with an optional sign: with `parseInt64` failing, an integer too long for Int64.
    private static func isIntegerSyntax(_ cell: UnsafeRawBufferPointer) -> Bool {
        !cell.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
    }

    static func isFloatSyntax(_ cell: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < cell.count, cell[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        if index < cell.count, cell[index] == UInt8(ascii: "-") || cell[index] == UInt8(ascii: "+") { index += 1 }
        var mantissaDigits = digits()
        if index < cell.count, cell[index] == UInt8(ascii: ".") {
            index += 1
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if index < cell.count, cell[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < cell.count, cell[index] == UInt8(ascii: "-") || cell[index] == UInt8(ascii: "+") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == cell.count
    }

    /// Parses float syntax (as `isFloatSyntax` accepts, which includes integers) to the nearest
    /// Double, using libc's correctly rounded `strtod`.
    static func parseDouble(_ cell: UnsafeRawBufferPointer) -> Double? {
        guard isFloatSyntax(cell) else { return nil }
        // strtod needs a NUL-terminated string (on the stack for any real number's length); the
        // checked syntax has no locale-dependent parts.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: cell.count + 1) { buffer in
            guard let base = buffer.baseAddress else { return nil }
            for (index, byte) in cell.enumerated() { buffer[index] = CChar(bitPattern: byte) }
            buffer[cell.count] = 0
            return strtod(base, nil)
        }
    }

    static func integer(_ value: Int64, fits type: DataType) -> Bool {
        switch type {
        case .int8: return Int8(exactly: value) != nil
        case .int16: return Int16(exactly: value) != nil
        case .int32: return Int32(exactly: value) != nil
        default: return true
        }
    }

    /// Whether non-empty cell text converts to `type` (the first pass's check of overrides;
    /// float32 range is checked when the value is parsed).
    static func fits(_ cell: UnsafeRawBufferPointer, _ type: DataType) -> Bool {
        switch type {
        case .string, .largeString: return true
        case .int8, .int16, .int32, .int64: return parseInt64(cell).map { integer($0, fits: type) } ?? false
        case .float32, .float64: return isFloatSyntax(cell)
        case .bool: return parseBool(cell) != nil
        case .list, .largeList: return false
        }
    }

    static func parseBool(_ cell: UnsafeRawBufferPointer) -> Bool? {
        if equalsIgnoringCase(cell, "true") { return true }
        if equalsIgnoringCase(cell, "false") { return false }
        return nil
    }

    private static func equalsIgnoringCase(_ cell: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard cell.count == word.utf8CodeUnitCount else { return false }
        let letters = word.utf8Start
        for index in 0..<cell.count where cell[index] | 0x20 != letters[index] { return false }
        return true
    }
}
