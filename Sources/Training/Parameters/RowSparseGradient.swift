/// The gradient of a (rows, width) table of which a batch touches few rows, as fine-tuning's word
/// embeddings are (250,037 rows in XLM-R's vocabulary; an NSMC batch uses about a thousand): only
/// the touched rows are kept, each in a slot of a compact buffer, in the order they were first
/// touched, with a row→slot map to find them. Every other row's gradient is zero. Micro-batches
/// of one step add into the same slots; `clear` empties them for the next step. So zeroing, the
/// gradient norm and the optimizer read a few MB instead of the whole table.
/// Unchecked Sendable: as ParameterStore, raw buffers that parallel kernels write on disjoint rows.
public final class RowSparseGradient: @unchecked Sendable {
    public let rows: Int
    public let width: Int
    /// slot → row, for the rows touched since the last `clear`
    public private(set) var touchedRows: [Int32] = []
    /// row → slot, −1 for a row without gradient
    private var slotOfRow: [Int32]
    /// (capacity, width); slots 0..<slotCount hold gradients
    private var storage = FloatBuffer(count: 0)

    public init(rows: Int, width: Int) {
        self.rows = rows
        self.width = width
        slotOfRow = [Int32](repeating: -1, count: rows)
    }

    public var slotCount: Int { touchedRows.count }

    /// (slotCount, width): the gradients of `touchedRows`, in slot order. Valid until the next `slots(for:)`.
    public var values: UnsafeMutablePointer<Float> { storage.pointer }

    /// The slot holding `row`'s gradient, nil when the row has none.
    @inline(__always) public func slot(ofRow row: Int) -> Int? {
        let slot = slotOfRow[row]
        return slot < 0 ? nil : Int(slot)
    }

    /// The slot of each of `ids` (rows), giving the rows that have none a new zeroed slot, in
    /// order of first appearance (so the layout, and every sum over it, repeats run after run).
    public func slots(for ids: UnsafePointer<Int32>, count: Int) -> [Int32] {
        reserve(slotCount + count)
        return (0..<count).map { i in
            let row = Int(ids[i])
            if slotOfRow[row] < 0 {
                slotOfRow[row] = Int32(slotCount)
                (storage.pointer + slotCount * width).update(repeating: 0, count: width)
                touchedRows.append(Int32(row))
            }
            return slotOfRow[row]
        }
    }

    /// Forgets every row's gradient (all zero again).
    public func clear() {
        for row in touchedRows { slotOfRow[Int(row)] = -1 }
        touchedRows.removeAll(keepingCapacity: true)
    }

    /// Σ g² over the touched rows, summed deterministically (`Elementwise.sumOfSquares`).
    public func sumOfSquares() -> Double { Elementwise.sumOfSquares(values, count: slotCount * width) }

    /// The gradient as a dense (rows, width) array (for tests and inspection).
    public func dense() -> [Float] {
        var out = [Float](repeating: 0, count: rows * width)
        for (slot, row) in touchedRows.enumerated() {
            for j in 0..<width { out[Int(row) * width + j] = values[slot * width + j] }
        }
        return out
    }

    /// Grows the slot buffer to hold `slots` slots, keeping the used ones (a quarter to spare,
    /// capped at the table, so that growth is rare).
    private func reserve(_ slots: Int) {
        let needed = min(slots, rows) * width
        guard needed > storage.count else { return }
        let grown = FloatBuffer(count: min(needed + needed / 4, rows * width))
        grown.pointer.update(from: storage.pointer, count: slotCount * width)
        storage = grown
    }
}
