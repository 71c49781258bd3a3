/// Token id sequences by row, as a tokenized dataset stores them (an Arrow list<int32> column:
/// offsets + values). The collator reads rows in place through this, so a memory-mapped shard is
/// never copied row by row into Swift arrays.
public protocol TokenRows {
    var rowCount: Int { get }
    /// Calls `body` with row `row`'s ids (0 ≤ row < rowCount).
    func withRow<R>(_ row: Int, _ body: (UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R
}

extension TokenRows {
    public func length(of row: Int) -> Int { withRow(row) { $0.count } }
}

/// Rows held in memory as one flat values array with `rowCount + 1` offsets (the same layout as
/// an Arrow list column), for tests and for data built on the fly.
public struct TokenRowArray: TokenRows, Sendable {
    public private(set) var offsets: [Int] = [0]
    public private(set) var values: [Int32] = []

    public init() {}

    public init(_ rows: [[Int32]]) {
        for row in rows { append(row) }
    }

    public mutating func append(_ row: some Collection<Int32>) {
        values.append(contentsOf: row)
        offsets.append(values.count)
    }

    public var rowCount: Int { offsets.count - 1 }

    public func withRow<R>(_ row: Int, _ body: (UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer {
            try body(UnsafeBufferPointer(rebasing: $0[offsets[row]..<offsets[row + 1]]))
        }
    }
}
