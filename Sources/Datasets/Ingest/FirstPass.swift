import DSPrepSupport

/// What a caller wants a reader's first pass to gather besides the schema and row count, so that
/// it need not read the file again: a shard plan finds row starts, block digests and the labels
/// in the one pass that checks and types the file.
public struct FirstPassRequest {
    /// Record where rows start, for `TabularReader.rowStart(_:)`.
    public var rowStarts = false
    /// Digest the file's blocks, for `TabularReader.digest(of:)`.
    public var blockDigests = false
    /// Collect the distinct cells of the columns whose names this accepts (`TabularReader.distinctCells`).
    public var distinctCellsOf: (String) -> Bool = { _ in false }

    public init(rowStarts: Bool = false, blockDigests: Bool = false, distinctCellsOf: @escaping (String) -> Bool = { _ in false }) {
        self.rowStarts = rowStarts
        self.blockDigests = blockDigests
        self.distinctCellsOf = distinctCellsOf
    }
}

/// The first pass's walk over a mapped file, which the format's parser drives record by record:
/// it checks the UTF-8 a step ahead of the parser (the bytes are read once, to check and to
/// parse), digests blocks and records row starts when asked, collects distinct cells, and
/// releases the pages behind the parser.
struct FirstPassWalk {
    let file: MappedFile
    private var utf8 = UTF8Check()
    private var pages: ConsumedPages
    private(set) var blocks: BlockDigests?
    private(set) var rowStarts: RowStarts?
    private let wantsRowStarts: Bool
    private let isCollected: (String) -> Bool
    /// Distinct cells of the collected columns, by column index.
    private(set) var cells: [Int: DistinctCells] = [:]

    /// How far ahead of the parser the UTF-8 is checked.
    private static let step = 4 << 20

    init(file: MappedFile, request: FirstPassRequest) throws {
        self.file = file
        pages = ConsumedPages(file)
        blocks = request.blockDigests ? BlockDigests(fileSize: file.bytes.count) : nil
        wantsRowStarts = request.rowStarts
        isCollected = request.distinctCellsOf
        try advance(to: 0)
    }

    /// The first data row starts at `offset` (after any header).
    mutating func dataStarts(at offset: Int) {
        if wantsRowStarts { rowStarts = RowStarts(firstRowAt: offset) }
    }

    /// The parser has read up to `position`, which is not the end of a data row (a header, say).
    mutating func advance(to position: Int) throws {
        if position + Self.step > utf8.checked {
            try utf8.check(file.bytes, through: position + 2 * Self.step, path: file.path) { range in
                blocks?.update(UnsafeRawBufferPointer(rebasing: file.bytes[range]))
            }
        }
        pages.release(upTo: position)
    }

    /// A data row ended at `position` (where the next one may start).
    mutating func rowEnded(at position: Int) throws {
        rowStarts?.rowEnded(at: position)
        try advance(to: position)
    }

    /// After the parser's last record: checks (and digests) the rest of the file.
    mutating func finish() throws {
        try advance(to: file.bytes.count)
        blocks?.finish()
    }

    // MARK: - Distinct cells

    /// Whether column `index`, named `name`, is one to collect; starts its collection the first time.
    /// `missedBefore` is the line of an earlier row that had no value for it (a JSON column first met late).
    mutating func collects(column index: Int, named name: String, missedBefore line: Int? = nil) -> Bool {
        guard isCollected(name) else { return false }
        var collected = DistinctCells()
        if let line { collected.addNull(line: line) }
        cells[index] = collected
        return true
    }

    mutating func cell(_ column: Int, _ text: UnsafeRawBufferPointer, line: Int) {
        cells[column]?.add(text, line: line)
    }

    mutating func null(_ column: Int, line: Int) {
        cells[column]?.addNull(line: line)
    }
}

/// Where every `stride`-th data row starts, the stride doubling whenever more than `capacity`
/// starts are held, so memory stays flat; any row's start is found from the nearest one by
/// reading at most a stride of rows again (`TabularReader.rowStart`).
struct RowStarts {
    /// `offsets[i]` is where row `i * stride` starts.
    private(set) var offsets: [Int]
    private(set) var stride = 1
    private var rows = 0
    static let capacity = 1 << 14

    init(firstRowAt offset: Int) { offsets = [offset] }

    mutating func rowEnded(at position: Int) {
        rows += 1
        guard rows % stride == 0 else { return }
        offsets.append(position)
        if offsets.count > Self.capacity {
            offsets = Swift.stride(from: 0, to: offsets.count, by: 2).map { offsets[$0] }
            stride *= 2
        }
    }

    /// The nearest recorded row at or before `row`, and where it starts.
    func nearest(_ row: Int) -> (row: Int, offset: Int) {
        let index = min(row / stride, offsets.count - 1)
        return (index * stride, offsets[index])
    }
}
