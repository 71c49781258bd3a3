import Datasets
import Foundation

/// Prints tables the way a person reads them: schema, counts, and rows as aligned columns, with
/// Korean (double-width) text aligned and long cells cut.
enum TablePrinter {
    static let maxCellWidth = 48

    static func printSchema(_ schema: Schema, rows: Int, batches: Int) {
        let header = "\(rows) rows, \(schema.fields.count) columns, \(batches) record batch\(batches == 1 ? "" : "es")"
        print(header)
        let nameWidth = schema.fields.map(\.name.displayWidth).max() ?? 0
        for field in schema.fields {
            print("  \(field.name.rightPadded(to: nameWidth))  \(field.type)")
        }
    }

    static func printRows(_ table: Table, rows: Range<Int>) {
        guard !rows.isEmpty else { return }
        let header = ["#"] + table.schema.names
        let cells = rows.map { row in
            ["\(row)"] + table.row(row).map { cell($0).truncated(toWidth: maxCellWidth) }
        }
        let widths = header.indices.map { column in
            ([header[column]] + cells.map { $0[column] }).map(\.displayWidth).max() ?? 0
        }
        func line(_ values: [String]) -> String {
            values.indices.map { values[$0].rightPadded(to: widths[$0]) }.joined(separator: "  ")
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for row in cells { print(line(row)) }
    }

    /// One cell as text: strings shown with control characters escaped, lists compactly.
    static func cell(_ value: Value) -> String {
        switch value {
        case .string(let text):
            return text.unicodeScalars.map { scalar in
                switch scalar {
                case "\n": return "\\n"
                case "\t": return "\\t"
                case "\r": return "\\r"
                default: return scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
                }
            }.joined()
        case .list(let values): return "[" + values.map(cell).joined(separator: " ") + "]"
        default: return value.description
        }
    }

    static func printDescription(_ description: TableDescription) {
        print("\(description.rows) rows")
        for column in description.columns {
            var line = "\n\(column.name) (\(column.type))"
            if column.nulls > 0 { line += ", \(column.nulls) nulls" }
            print(line)
            if let stats = column.statistics {
                let measure = column.type.elementType != nil ? "length (elements)" : (column.type == .string || column.type == .largeString ? "length (characters)" : "value")
                print(String(format: "  %@: mean %.2f, std %.2f, min %g, max %g", measure, stats.mean, stats.standardDeviation, stats.minimum, stats.maximum))
                print("  percentiles: " + stats.percentiles.map { "p\($0.percent) \(String(format: "%g", $0.value))" }.joined(separator: ", "))
                if column.distinctValues == nil || column.type == .string || column.type == .largeString || column.type.elementType != nil {
                    printHistogram(stats.histogram, minimum: stats.minimum)
                }
            }
            if let distinct = column.distinctValues {
                print("  \(distinct) distinct values: " + column.topValues.map { "\(cell($0.value).truncated(toWidth: 20)) (\($0.count))" }.joined(separator: ", "))
            }
        }
    }

    static func printHistogram(_ buckets: [(upperBound: Double, count: Int)], minimum: Double) {
        let largest = buckets.map(\.count).max() ?? 0
        guard largest > 0 else { return }
        var lower = minimum
        for bucket in buckets {
            let bar = String(repeating: "█", count: Int((Double(bucket.count) / Double(largest) * 40).rounded(.up)))
            let integral = lower == lower.rounded() && bucket.upperBound == bucket.upperBound.rounded()
            let label = integral ? String(format: "%8.0f – %-8.0f", lower, bucket.upperBound)
                : String(format: "%8.4g – %-8.4g", lower, bucket.upperBound)
            print("  \(label) \(String(bucket.count).leftPadded(to: 8)) \(bar)")
            lower = bucket.upperBound
        }
    }
}
