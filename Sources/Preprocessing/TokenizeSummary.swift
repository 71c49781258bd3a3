/// What a tokenize run reports at the end: counts, unknown-token rate, truncation, and the
/// distribution of sequence lengths (exact, from a length → rows table).
public struct TokenizeSummary: Codable, Sendable {
    public var rows = 0
    public var tokens = 0
    public var unknownTokens = 0
    public var truncatedRows = 0
    public var inputBytes = 0
    /// rowsByLength[n] = rows whose encoded sequence has n tokens.
    public var rowsByLength: [Int] = []

    public init() {}

    public mutating func record(length: Int, unknown: Int, truncated: Bool) {
        rows += 1
        tokens += length
        unknownTokens += unknown
        if truncated { truncatedRows += 1 }
        if length >= rowsByLength.count { rowsByLength += [Int](repeating: 0, count: length - rowsByLength.count + 1) }
        rowsByLength[length] += 1
    }

    public mutating func merge(_ other: TokenizeSummary) {
        rows += other.rows
        tokens += other.tokens
        unknownTokens += other.unknownTokens
        truncatedRows += other.truncatedRows
        inputBytes += other.inputBytes
        if other.rowsByLength.count > rowsByLength.count {
            rowsByLength += [Int](repeating: 0, count: other.rowsByLength.count - rowsByLength.count)
        }
        for (length, count) in other.rowsByLength.enumerated() { rowsByLength[length] += count }
    }

    public var unknownRate: Double { tokens == 0 ? 0 : Double(unknownTokens) / Double(tokens) }

    /// The smallest length L such that at least `percent`% of rows have length ≤ L (nearest rank).
    public func lengthPercentile(_ percent: Double) -> Int {
        guard rows > 0 else { return 0 }
        let rank = max(1, Int((percent / 100 * Double(rows)).rounded(.up)))
        var seen = 0
        for (length, count) in rowsByLength.enumerated() {
            seen += count
            if seen >= rank { return length }
        }
        return rowsByLength.count - 1
    }

    /// `buckets` equal-width length ranges from 0 to the longest row: (low, high, rows).
    public func histogram(buckets: Int = 10) -> [(low: Int, high: Int, rows: Int)] {
        guard !rowsByLength.isEmpty else { return [] }  // no rows: no lengths to bucket
        let longest = max(rowsByLength.count - 1, 0)
        let width = max(1, (longest + buckets) / buckets)
        return stride(from: 0, through: longest, by: width).map { low in
            let high = min(low + width - 1, longest)
            return (low, high, rowsByLength[low...high].reduce(0, +))
        }
    }
}
