import DSPrepSupport
import Foundation

/// One condition of a row filter (`dsprep dataset filter --where`), the command-line form of the
/// predicate HF users pass to `Dataset.filter`: `COLUMN OP VALUE` or `len(COLUMN) OP N`, where OP
/// is one of `==`, `!=`, `<`, `<=`, `>`, `>=` and VALUE a number, a quoted string ('…' or "…"),
/// `true`, `false` or `null`. A ClassLabel column compares by class id, and a class name stands
/// for its id. `len` counts a list's elements or a string's characters (Unicode scalars, as
/// Python's `len`).
///
/// Nulls follow Python's `None`: a null cell is `== null` and `!=` any other value, and fails
/// every ordering, so `score > 2` drops rows without a score.
public struct RowCondition: Sendable, CustomStringConvertible {
    enum Comparison: String, CaseIterable {
        // two-character operators first, so that `<=` is not read as `<`
        case equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

        var isOrdering: Bool { self != .equal && self != .notEqual }

        func holds<T: Comparable>(_ left: T, _ right: T) -> Bool {
            switch self {
            case .equal: return left == right
            case .notEqual: return left != right
            case .less: return left < right
            case .lessOrEqual: return left <= right
            case .greater: return left > right
            case .greaterOrEqual: return left >= right
            }
        }
    }

    enum Literal: Equatable {
        /// a number written as an integer that Int64 holds, kept exact
        case integer(Int64)
        case number(Double)
        case string(String)
        case bool(Bool)
        case null

        var number: Double? {
            switch self {
            case .integer(let value): return Double(value)
            case .number(let value): return value
            default: return nil
            }
        }
    }

    public let description: String
    let column: String
    let measuresLength: Bool
    let comparison: Comparison
    let literal: Literal

    public init(parsing text: String) throws {
        description = text
        func failure(_ problem: String) -> InputError {
            InputError("--where '\(text)': \(problem)",
                       hint: "write COLUMN OP VALUE or len(COLUMN) OP N, OP one of == != < <= > >=, VALUE a number, 'text', true, false or null")
        }
        guard let (comparison, range) = Self.firstOperator(in: text) else { throw failure("no comparison operator") }
        var left = text[..<range.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let right = text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        measuresLength = left.hasPrefix("len(") && left.hasSuffix(")")
        if measuresLength { left = left.dropFirst(4).dropLast().trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !left.isEmpty else { throw failure("no column before \(comparison.rawValue)") }
        guard let literal = Self.literal(right) else { throw failure("expected a number, a quoted string, true, false or null after \(comparison.rawValue), got '\(right)'") }
        if literal == .null && comparison.isOrdering { throw failure("null can only be compared with == or !=") }
        if measuresLength && literal.number == nil { throw failure("len(...) compares with a number") }
        column = left
        self.comparison = comparison
        self.literal = literal
    }

    /// The leftmost operator outside quotes, preferring two-character ones at the same place.
    private static func firstOperator(in text: String) -> (Comparison, Range<String.Index>)? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if let comparison = Comparison.allCases.first(where: { text[index...].hasPrefix($0.rawValue) }) {
                return (comparison, index..<text.index(index, offsetBy: comparison.rawValue.count))
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func literal(_ text: String) -> Literal? {
        if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
            let inner = text.dropFirst().dropLast()
            return inner.contains(first) ? nil : .string(String(inner))
        }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null", "None": return .null
        default: return Int64(text).map(Literal.integer) ?? Double(text).flatMap { $0.isFinite ? .number($0) : nil }
        }
    }

    /// The condition as a test of one row of a batch with `schema`, after checking that it makes
    /// sense for the column's type (`features` gives ClassLabel names).
    public func test(for schema: Schema, features: Features) throws -> @Sendable (RecordBatch, Int) -> Bool {
        guard let index = schema.fields.firstIndex(where: { $0.name == column }) else {
            throw InputError("--where '\(description)': no column named '\(column)'", hint: "columns: \(schema.names.joined(separator: ", "))")
        }
        let type = schema.fields[index].type
        let comparison = comparison
        func mismatch(_ expected: String) -> InputError {
            InputError("--where '\(description)': column '\(column)' holds \(type), which compares with \(expected)")
        }
        // A null literal asks about nullness alone, whatever the type.
        if literal == .null {
            let wantsNull = comparison == .equal
            return { batch, row in batch.columns[index].isNull(row) == wantsNull }
        }
        // Null cells: `!=` holds, everything else fails (Python's None).
        func onCells(_ test: @escaping @Sendable (Column, Int) -> Bool) -> @Sendable (RecordBatch, Int) -> Bool {
            { batch, row in
                let cells = batch.columns[index]
                return cells.isNull(row) ? comparison == .notEqual : test(cells, row)
            }
        }
        if measuresLength, literal.number != nil {
            let holds = Self.integerTest(comparison, literal)
            switch type {
            case .list, .largeList: return onCells { cells, row in holds(Int64(cells.valueLength(row))) }
            case .string, .largeString: return onCells { cells, row in holds(Int64(cells.characterCount(row))) }
            default: throw InputError("--where '\(description)': len() needs a list or string column; '\(column)' holds \(type)")
            }
        }
        switch (type, literal) {
        case (.int8, .integer), (.int16, .integer), (.int32, .integer), (.int64, .integer),
             (.int8, .number), (.int16, .number), (.int32, .number), (.int64, .number):
            let holds = Self.integerTest(comparison, literal)
            return onCells { cells, row in holds(cells.integer(row)) }
        case (.int64, .string(let name)):
            guard let names = features.classLabelNames(of: column) else { throw mismatch("a number") }
            guard let id = names.firstIndex(of: name) else {
                throw InputError("--where '\(description)': '\(name)' is not a class of '\(column)'", hint: "classes: \(names.joined(separator: ", "))")
            }
            let holds = Self.integerTest(comparison, .integer(Int64(id)))
            return onCells { cells, row in holds(cells.integer(row)) }
        case (.float32, .integer), (.float64, .integer), (.float32, .number), (.float64, .number):
            let bound = literal.number ?? 0
            return onCells { cells, row in comparison.holds(cells.double(row), bound) }
        case (.string, .string(let bound)), (.largeString, .string(let bound)):
            let boundBytes = Array(bound.utf8)
            return onCells { cells, row in comparison.holds(Self.order(cells.stringBytes(row), boundBytes), 0) }
        case (.bool, .bool(let bound)):
            guard !comparison.isOrdering else { throw mismatch("true or false by == or !=") }
            return onCells { cells, row in comparison.holds(cells.bool(row) ? 1 : 0, bound ? 1 : 0) }
        case (.int8, _), (.int16, _), (.int32, _), (.int64, _), (.float32, _), (.float64, _):
            throw mismatch(features.classLabelNames(of: column) == nil ? "a number" : "a class id or a quoted class name")
        case (.string, _), (.largeString, _): throw mismatch("a quoted string")
        case (.bool, _): throw mismatch("true or false")
        case (.list, _), (.largeList, _): throw mismatch("nothing but null; compare len(\(column)) instead")
        }
    }

    /// The comparison of an integer with a number literal, exact as Python compares an int with an
    /// int or a float (a Double holds neither every Int64 nor every bound's integer part).
    private static func integerTest(_ comparison: Comparison, _ literal: Literal) -> @Sendable (Int64) -> Bool {
        if case let .integer(bound) = literal { return { comparison.holds($0, bound) } }
        let bound = literal.number ?? 0
        let twoTo63 = 9_223_372_036_854_775_808.0
        // beyond Int64: every integer is below (or above) the bound
        if bound >= twoTo63 || bound < -twoTo63 {
            let below = bound > 0
            let result: Bool
            switch comparison {
            case .equal: result = false
            case .notEqual: result = true
            case .less, .lessOrEqual: result = below
            case .greater, .greaterOrEqual: result = !below
            }
            return { _ in result }
        }
        let floor = Int64(bound.rounded(.down))
        if Double(floor) == bound { return { comparison.holds($0, floor) } }
        // a fraction: x < b ⟺ x ≤ ⌊b⌋ and x > b ⟺ x > ⌊b⌋; never equal
        switch comparison {
        case .equal: return { _ in false }
        case .notEqual: return { _ in true }
        case .less, .lessOrEqual: return { $0 <= floor }
        case .greater, .greaterOrEqual: return { $0 > floor }
        }
    }

    /// −1, 0 or 1 as UTF-8 `text` sorts before, with or after `bound`: byte order is code point
    /// order, which is how Python orders strings.
    private static func order(_ text: UnsafeRawBufferPointer, _ bound: [UInt8]) -> Int {
        for (a, b) in zip(text, bound) where a != b { return a < b ? -1 : 1 }
        return text.count == bound.count ? 0 : (text.count < bound.count ? -1 : 1)
    }
}
