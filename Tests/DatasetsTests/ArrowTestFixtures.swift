@testable import Datasets
import Foundation

/// Record batches with every column type dsprep stores, nulls in every column, empty lists and
/// strings, Korean text and extreme integers; deterministic in `rows` and `start`.
enum ArrowFixtures {
    static let schema = Schema([
        Field("i8", .int8), Field("i16", .int16), Field("i32", .int32), Field("i64", .int64),
        Field("f32", .float32), Field("f64", .float64), Field("flag", .bool),
        Field("text", .string), Field("large_text", .largeString),
        Field("ids", .list(.int32)), Field("longs", .list(.int64)), Field("floats", .list(.float32)),
        Field("big_ids", .largeList(.int32)), Field("words", .list(.string)), Field("nested", .list(.list(.int32))),
        Field("required", .int64, nullable: false),
    ])

    /// The cell of column `column` in global row `row`.
    static func value(row: Int, column: Int) -> Value {
        if column < 15 && (row + column) % 5 == 2 { return .null }
        let r = Int64(row)
        switch column {
        case 0: return .int(r % 256 - 128)
        case 1: return .int(r * 131 % 65536 - 32768)
        case 2: return .int(r % 3 == 0 ? Int64(Int32.min) + r : r * 1_000_003)
        case 3: return .int(r % 4 == 0 ? Int64.max - r : -r * 1_000_000_007)
        case 4: return .float(Double(Float(row) / 3))
        case 5: return .float(Double(row) * 0.1 - 7)
        case 6: return .bool(row % 3 == 1)
        case 7: return .string(row % 4 == 0 ? "" : "리뷰 \(row) \"따옴표\"\n" + String(repeating: "ab", count: row % 5))
        case 8: return .string("큰 \(row)")
        case 9: return .list((0..<(row % 4)).map { .int(r * 10 + Int64($0)) })
        case 10: return .list([.int(r << 33), .int(-r)].prefix(row % 3).map { $0 })
        case 11: return .list((0..<(row % 3)).map { .float(Double(Float(row + $0) * 0.25)) })
        case 12: return .list((0..<(row % 5)).map { .int(Int64($0) - r) })
        case 13: return .list((0..<(row % 3)).map { .string("단어\($0)") })
        case 14: return .list((0..<(row % 3)).map { inner in .list((0..<inner).map { .int(r + Int64($0)) }) })
        default: return .int(r)
        }
    }

    static func batch(start: Int, rows: Int) throws -> RecordBatch {
        let columns = try schema.fields.enumerated().map { column, field -> Column in
            var builder = ColumnBuilder(field.type)
            for row in start..<(start + rows) { try builder.append(value(row: row, column: column)) }
            return builder.finish()
        }
        return RecordBatch(schema: schema, columns: columns)
    }

    static func rows(_ table: Table) -> [[Value]] {
        (0..<table.count).map { table.row($0) }
    }

    static func expectedRows(_ range: Range<Int>) -> [[Value]] {
        range.map { row in schema.fields.indices.map { value(row: row, column: $0) } }
    }
}
