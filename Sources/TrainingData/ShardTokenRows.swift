import Datasets
import DSPrepSupport
import Training

/// A list column of a tokenized dataset as `TokenRows`. An int32 list (what `dsprep tokenize`
/// writes) is read in place from the memory-mapped record batches; other integer lists (HF
/// datasets often store int64) are copied once into an int32 array.
public struct ShardTokenRows: TokenRows {
    private let table: Table
    /// One column per record batch, when the values are int32.
    private let mapped: [Column]?
    private let copied: TokenRowArray?

    /// - Throws: when `name` is missing or not a list of integers (the error names `source`).
    public init(table: Table, column name: String, source: String) throws {
        guard let index = table.schema.index(of: name) else {
            throw InputError("no \(name) column (columns: \(table.schema.names.joined(separator: ", ")))", at: SourceLocation(path: source),
                             hint: "pass a folder written by `dsprep tokenize`")
        }
        let element = table.schema.fields[index].type.elementType
        guard let element, [.int8, .int16, .int32, .int64].contains(element) else {
            throw InputError("column \(name) is \(table.schema.fields[index].type), expected a list of integers", at: SourceLocation(path: source))
        }
        self.table = table
        let columns = table.batches.map { $0.columns[index] }
        if let row = Self.firstNull(columns) {
            throw InputError("column \(name) is null in row \(row)", at: SourceLocation(path: source))
        }
        if element == .int32 && !table.schema.fields[index].type.hasLargeOffsets {
            mapped = columns
            copied = nil
        } else {
            var rows = TokenRowArray()
            for column in columns {
                guard let child = column.children.first else { continue }
                for row in 0..<column.count { rows.append(column.valueRange(row).map { Int32(truncatingIfNeeded: child.integer($0)) }) }
            }
            mapped = nil
            copied = rows
        }
    }

    public var rowCount: Int { copied?.rowCount ?? table.count }

    public func withRow<R>(_ row: Int, _ body: (UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        if let copied { return try copied.withRow(row, body) }
        let (batch, local) = table.locate(row)
        return try body(mapped?[batch].listElements(local, as: Int32.self) ?? UnsafeBufferPointer(start: nil, count: 0))
    }

    /// All rows copied into an array (for the small token_type_ids column of pairs).
    public func copy() -> TokenRowArray {
        var rows = TokenRowArray()
        for row in 0..<rowCount { withRow(row) { rows.append($0) } }
        return rows
    }

    static func firstNull(_ columns: [Column]) -> Int? {
        var start = 0
        for column in columns {
            if column.nullCount > 0, let row = (0..<column.count).first(where: column.isNull) { return start + row }
            start += column.count
        }
        return nil
    }
}
