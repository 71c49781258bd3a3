import Foundation

/// Summary statistics of a table, like pandas' `describe` plus length histograms: what a person
/// looks at before deciding on max_length or checking a label balance.
public struct TableDescription: Sendable {
    public struct ColumnSummary: Sendable {
        public var name: String
        public var type: DataType
        public var nulls = 0
        /// Numeric columns: the values; string/list columns: their lengths (characters / elements).
        public var statistics: Statistics?
        /// Up to `TableDescription.maxDistinct` most frequent values, for low-cardinality columns.
        public var topValues: [(value: Value, count: Int)] = []
        public var distinctValues: Int?
    }

    public struct Statistics: Sendable {
        public var count = 0
        public var mean = 0.0
        public var standardDeviation = 0.0
        public var minimum = 0.0
        public var maximum = 0.0
        /// 50th, 90th, 95th, 99th percentiles (nearest rank).
        public var percentiles: [(percent: Int, value: Double)] = []
        /// Bucket upper bounds and counts.
        public var histogram: [(upperBound: Double, count: Int)] = []
    }

    public static let maxDistinct = 20
    public var rows: Int
    public var columns: [ColumnSummary]

    public init(_ table: Table) {
        rows = table.count
        columns = table.schema.fields.indices.map { index in
            let field = table.schema.fields[index]
            var summary = ColumnSummary(name: field.name, type: field.type)
            var measures: [Double] = []
            measures.reserveCapacity(table.count)
            var frequencies: [Value: Int] = [:]
            var tooManyDistinct = false
            for batch in table.batches {
                let column = batch.columns[index]
                for row in 0..<column.count {
                    if column.isNull(row) { summary.nulls += 1; continue }
                    switch field.type {
                    case .string, .largeString:
                        measures.append(Double(column.characterCount(row)))
                    case .list, .largeList:
                        measures.append(Double(column.valueLength(row)))
                    default:
                        measures.append(column.double(row))
                    }
                    if !tooManyDistinct, field.type.elementType == nil {
                        frequencies[column.value(row), default: 0] += 1
                        tooManyDistinct = frequencies.count > Self.maxDistinct
                    }
                }
            }
            summary.statistics = Self.statistics(of: &measures)
            if !tooManyDistinct, !frequencies.isEmpty {
                summary.distinctValues = frequencies.count
                summary.topValues = frequencies.sorted { ($0.value, "\($1.key)") > ($1.value, "\($0.key)") }
                    .map { ($0.key, $0.value) }
            }
            return summary
        }
    }

    static func statistics(of values: inout [Double]) -> Statistics? {
        guard !values.isEmpty else { return nil }
        values.sort()
        var result = Statistics()
        result.count = values.count
        result.minimum = values[0]
        result.maximum = values[values.count - 1]
        result.mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - result.mean) * ($1 - result.mean) } / Double(values.count)
        result.standardDeviation = variance.squareRoot()
        result.percentiles = [50, 90, 95, 99].map { percent in
            let rank = Int((Double(percent) / 100 * Double(values.count)).rounded(.up))
            return (percent, values[min(max(rank, 1), values.count) - 1])
        }
        // Ten equal-width buckets between min and max (one bucket when all values are equal).
        let buckets = result.maximum > result.minimum ? 10 : 1
        let width = (result.maximum - result.minimum) / Double(buckets)
        var counts = [Int](repeating: 0, count: buckets)
        for value in values {
            let bucket = width > 0 ? min(Int((value - result.minimum) / width), buckets - 1) : 0
            counts[bucket] += 1
        }
        result.histogram = counts.indices.map { (result.minimum + width * Double($0 + 1), counts[$0]) }
        return result
    }
}
