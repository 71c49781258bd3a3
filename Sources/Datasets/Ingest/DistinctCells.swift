import DSPrepSupport

/// The distinct texts of one column's cells as a reader's first pass meets them, each with the
/// line it first appears on, and the first null: what a label column's classes or scores are
/// told from without converting a row (`FirstPassRequest.distinctCellsOf`). Cell text is what a
/// string column would hold: CSV escapes undone, JSON strings decoded, JSON numbers and bools as
/// spelled.
public struct DistinctCells {
    /// Past this many distinct texts only the counts below are kept (a score column may hold a
    /// different number in every row; class names are never this many).
    public static let limit = 1 << 17

    private var firstLines: [String: Int] = [:]
    /// The first few distinct texts as bytes: a label column repeats a few values, and a cell
    /// that is one of them is settled by comparing bytes, with no string made.
    private var frequent: [[UInt8]] = []
    /// More than `limit` distinct texts were met: `values(as:)` is nil.
    public private(set) var overflowed = false
    /// The line of the first null cell (an empty CSV/TSV field, a JSON null or missing key).
    public private(set) var firstNullLine: Int?
    /// The first cell that parses as a number that is not finite (`1e999`), with its line.
    public private(set) var firstNonFinite: (value: Double, line: Int)?

    init() {}

    mutating func add(_ cell: UnsafeRawBufferPointer, line: Int) {
        if frequent.contains(where: { known in known.count == cell.count && known.withUnsafeBytes { $0.elementsEqual(cell) } }) { return }
        if !overflowed {
            let text = String(decoding: cell, as: UTF8.self)
            guard firstLines[text] == nil else { return }
            if firstLines.count == Self.limit {
                overflowed = true
                firstLines = [:]
            } else {
                firstLines[text] = line
                if frequent.count < 8 { frequent.append(Array(cell)) }
            }
        }
        // Each text is looked at on its first line (past the limit, on every line), so this is the first such line.
        if firstNonFinite == nil, let number = CellText.parseDouble(cell), !number.isFinite { firstNonFinite = (number, line) }
    }

    mutating func addNull(line: Int) {
        if firstNullLine == nil { firstNullLine = line }
    }

    /// Each distinct text with the line it first appears on; nil past the limit.
    public var texts: [String: Int]? { overflowed ? nil : firstLines }

    /// The distinct values the column holds as `type` (what a converted column would hold,
    /// nulls left out); nil past the limit.
    public func values(as type: DataType) -> Set<Value>? {
        guard !overflowed else { return nil }
        var values = Set<Value>(minimumCapacity: firstLines.count)
        for text in firstLines.keys {
            var utf8 = text
            let value: Value? = utf8.withUTF8 { bytes in
                let cell = UnsafeRawBufferPointer(bytes)
                switch type {
                case .string, .largeString: return .string(text)
                case .int8, .int16, .int32, .int64: return CellText.parseInt64(cell).map { .int($0) }
                case .float32, .float64: return CellText.parseDouble(cell).map { .float($0) }
                case .bool: return CellText.parseBool(cell).map { .bool($0) }
                case .list, .largeList: return nil
                }
            }
            if let value { values.insert(value) }
        }
        return values
    }
}
