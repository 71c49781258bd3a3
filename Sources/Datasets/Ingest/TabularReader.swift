import DSPrepSupport

/// Reads a CSV, TSV, JSON Lines, JSON array or plain-text file as record batches, streaming
/// from a memory map so that memory does not grow with the file.
///
/// Opening the reader makes a first pass over the whole file: it checks the UTF-8 (a step ahead
/// of the parser, so each byte is read once), finds the columns, checks every row's shape and
/// infers each column's type (int64, float64, bool or string; overrides are checked instead), so
/// a bad file fails here, before any batch, and the types never change mid-file. On request the
/// same pass records where rows start, digests the file's blocks and collects the distinct cells
/// of some columns (`FirstPassRequest`), which is all a shard plan needs. `nextBatch` then
/// converts the rows in order. Pages of the map that a pass has finished with are released, so
/// resident memory stays around one batch.
///
///     let reader = try TabularReader(path: "reviews.tsv")
///     while let batch = try reader.nextBatch(maxRows: 65536) { try writer.write(batch) }
public final class TabularReader {
    public let path: String
    public let format: IngestFormat
    public let schema: Schema
    /// Data rows in the file (not counting a header).
    public let rowCount: Int
    public private(set) var rowsRead = 0
    /// The file line each row of the last batch starts on.
    public private(set) var batchLines: [Int] = []
    /// The distinct cells the first pass collected, by column name (`FirstPassRequest.distinctCellsOf`).
    public let distinctCells: [String: DistinctCells]
    /// Bytes of the input this reader has read: the first pass reads the whole file, and
    /// `rowStart`, `digest(of:)` and `nextBatch` add what they read (again).
    public private(set) var bytesScanned = 0

    /// A batch also ends once it has consumed this many bytes of input, which keeps its string
    /// data well inside 32-bit Arrow offsets.
    public static let maxBatchInputBytes = 256 << 20

    private let file: MappedFile
    private let options: ResolvedIngestOptions
    private let source: any RecordSource
    private var assembler: BatchAssembler
    private var pages: ConsumedPages
    private let rowStarts: RowStarts?
    private var blockDigests: BlockDigests?

    public init(path: String, options: IngestOptions = IngestOptions(), gathering request: FirstPassRequest = FirstPassRequest()) throws {
        let resolved = try ResolvedIngestOptions(options, path: path)
        file = try MappedFile(path: path)
        file.adviseSequential()
        self.path = path
        self.options = resolved
        format = resolved.format
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let dataStart = file.bytes.starts(with: byteOrderMark) ? 3 : 0

        var walk = try FirstPassWalk(file: file, request: request)
        switch resolved.format {
        case .csv, .tsv, .text:
            source = try DelimitedSource(file: file, dataStart: dataStart, options: resolved, walk: &walk)
        case .jsonl, .json:
            source = try JSONSource(file: file, dataStart: dataStart, options: resolved, walk: &walk)
        }
        try walk.finish()
        pages = ConsumedPages(file)
        schema = source.schema
        rowCount = source.rowCount
        bytesScanned = file.bytes.count
        rowStarts = walk.rowStarts
        blockDigests = walk.blocks
        let names = schema.names
        distinctCells = Dictionary(uniqueKeysWithValues: walk.cells.map { (names[$0.key], $0.value) })
        assembler = BatchAssembler(schema: schema, path: path)
    }

    /// Where a segment reader starts and what an earlier full read of the file found (a tokenize
    /// plan records these for each shard).
    public struct Segment: Sendable {
        /// The bytes to map: the reader touches nothing outside them.
        public var bytes: Range<Int>
        /// Where the segment's first record starts (after the header for the first segment).
        public var dataStart: Int
        public var fileSize: Int
        public var schema: Schema
        public var rowCount: Int

        public init(bytes: Range<Int>, dataStart: Int, fileSize: Int, schema: Schema, rowCount: Int) {
            self.bytes = bytes
            self.dataStart = dataStart
            self.fileSize = fileSize
            self.schema = schema
            self.rowCount = rowCount
        }
    }

    /// Reads the `segment.rowCount` rows of `segment`, which must start and end on record
    /// boundaries, with the schema found before: no validation or inference pass, and only the
    /// segment's bytes are mapped. The caller makes sure the bytes are those that were checked
    /// (`TokenizePlan` compares their digest). CSV, TSV, text and JSON Lines.
    public init(path: String, options: IngestOptions = IngestOptions(), segment: Segment) throws {
        let resolved = try ResolvedIngestOptions(options, path: path)
        file = try MappedFile(path: path, range: segment.bytes, expectedSize: segment.fileSize)
        file.adviseSequential()
        self.path = path
        self.options = resolved
        format = resolved.format
        source = try Self.source(resuming: file, at: segment.dataStart - segment.bytes.lowerBound, schema: segment.schema,
                                 rowCount: segment.rowCount, options: resolved)
        pages = ConsumedPages(file)
        schema = segment.schema
        rowCount = segment.rowCount
        distinctCells = [:]
        rowStarts = nil
        blockDigests = nil
        assembler = BatchAssembler(schema: schema, path: path)
    }

    /// A source that reads `rowCount` rows of `schema` from offset `start` of `file`, a record
    /// boundary: no first pass. CSV, TSV, text and JSON Lines.
    private static func source(resuming file: MappedFile, at start: Int, schema: Schema, rowCount: Int,
                               options: ResolvedIngestOptions) throws -> any RecordSource {
        switch options.format {
        case .csv, .tsv, .text:
            return DelimitedSource(segmentOf: file, from: start, schema: schema, rowCount: rowCount, options: options)
        case .jsonl:
            return JSONSource(segmentOf: file, from: start, schema: schema, rowCount: rowCount)
        case .json:
            throw InputError("a JSON array cannot be read in parts", at: SourceLocation(path: file.path),
                             hint: "convert it to JSON Lines (one object per line), e.g. jq -c '.[]'")
        }
    }

    /// The byte offset where data row `row` (0...rowCount) starts, as the position after row
    /// `row - 1` (`rowCount`: where the last row ends). Needs `FirstPassRequest.rowStarts`: reads
    /// again at most a stride of rows from the nearest start the first pass recorded.
    public func rowStart(_ row: Int) throws -> Int {
        guard let rowStarts, (0...rowCount).contains(row) else {
            preconditionFailure("rowStart(\(row)) needs FirstPassRequest.rowStarts and a row in 0...\(rowCount)")
        }
        let (nearest, offset) = rowStarts.nearest(row)
        guard nearest < row else { return offset }
        let source = try Self.source(resuming: file, at: offset, schema: schema, rowCount: row - nearest, options: options)
        var skipped = BatchAssembler(schema: schema, path: path)
        var remaining = row - nearest
        while remaining > 0 {
            skipped.start(capacity: min(remaining, 1 << 12))
            let read = try source.readRows(into: &skipped, maxRows: min(remaining, 1 << 12), maxBytes: Self.maxBatchInputBytes)
            guard read > 0 else { throw InputError("the file ends before row \(row) of \(rowCount)", at: SourceLocation(path: path)) }
            remaining -= read
        }
        bytesScanned += source.position - offset
        file.releasePages(offset..<source.position)
        return source.position
    }

    /// The size of the blocks `digest(of:)` digests ranges in (a shard needs it to check its range).
    public var digestBlockSize: Int? { blockDigests?.blockSize }

    /// The digest of bytes `range` of the file (`BlockDigests`), as a shard of that range checks it.
    /// Needs `FirstPassRequest.blockDigests`: reads again only the blocks the range's ends cut.
    public func digest(of range: Range<Int>) -> String {
        guard var blocks = blockDigests else { preconditionFailure("digest(of:) needs FirstPassRequest.blockDigests") }
        let before = blocks.bytesReread
        let digest = blocks.digest(of: range, fileSize: file.bytes.count) { piece in
            UnsafeRawBufferPointer(rebasing: file.bytes[piece])
        }
        bytesScanned += blocks.bytesReread - before
        file.releasePages(range)
        blockDigests = blocks
        return digest
    }

    /// File size in bytes and how far the reader has got, for progress reports.
    public var byteCount: Int { file.bytes.count }
    public var bytesRead: Int { source.position }

    /// The next batch of at most `maxRows` rows, or nil after the last row.
    public func nextBatch(maxRows: Int = 65536) throws -> RecordBatch? {
        let limit = max(1, maxRows)
        assembler.start(capacity: min(limit, max(0, rowCount - rowsRead)))
        let start = source.position
        let rows = try source.readRows(into: &assembler, maxRows: limit, maxBytes: Self.maxBatchInputBytes)
        bytesScanned += source.position - start
        guard rows > 0 else {
            pages.release(upTo: source.position)
            return nil
        }
        // Only a single row of more than 2 GiB can take a batch past 32-bit string offsets.
        guard source.position - start <= Int(Int32.max) else {
            throw InputError("a row holds more than 2 GiB of text; dsprep's string columns hold less", at: SourceLocation(path: path))
        }
        rowsRead += rows
        pages.release(upTo: source.position)
        batchLines = assembler.rowLines
        return assembler.finish()
    }

    /// Reads the whole file into memory (for small files and tests).
    public static func readTable(path: String, options: IngestOptions = IngestOptions(), batchRows: Int = 65536) throws -> Table {
        let reader = try TabularReader(path: path, options: options)
        var batches: [RecordBatch] = []
        while let batch = try reader.nextBatch(maxRows: batchRows) { batches.append(batch) }
        return Table(schema: reader.schema, batches: batches)
    }
}
