import DSPrepSupport

/// Reads a CSV, TSV, JSON Lines, JSON array or plain-text file as record batches, streaming
/// from a memory map so that memory does not grow with the file.
///
/// Opening the reader makes a first pass over the whole file: it checks the UTF-8, finds the
/// columns, checks every row's shape and infers each column's type (int64, float64, bool or
/// string; overrides are checked instead), so a bad file fails here, before any batch, and the
/// types never change mid-file. `nextBatch` then converts the rows in order. Pages of the map
/// that a pass has finished with are released, so resident memory stays around one batch.
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

    /// A batch also ends once it has consumed this many bytes of input, which keeps its string
    /// data well inside 32-bit Arrow offsets.
    public static let maxBatchInputBytes = 256 << 20

    private let file: MappedFile
    private let source: any RecordSource
    private var assembler: BatchAssembler
    private var pages: ConsumedPages

    public init(path: String, options: IngestOptions = IngestOptions()) throws {
        let resolved = try ResolvedIngestOptions(options, path: path)
        file = try MappedFile(path: path)
        file.adviseSequential()
        self.path = path
        format = resolved.format
        var pages = ConsumedPages(file)
        try UTF8Check.validate(file.bytes, path: path, pages: &pages)
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let dataStart = file.bytes.starts(with: byteOrderMark) ? 3 : 0

        pages.rewind()
        switch resolved.format {
        case .csv, .tsv, .text:
            source = try DelimitedSource(file: file, dataStart: dataStart, options: resolved, pages: &pages)
        case .jsonl, .json:
            source = try JSONSource(file: file, dataStart: dataStart, options: resolved, pages: &pages)
        }
        pages.rewind()
        self.pages = pages
        schema = source.schema
        rowCount = source.rowCount
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
        format = resolved.format
        let start = segment.dataStart - segment.bytes.lowerBound
        switch resolved.format {
        case .csv, .tsv, .text:
            source = DelimitedSource(segmentOf: file, from: start, schema: segment.schema, rowCount: segment.rowCount, options: resolved)
        case .jsonl:
            source = JSONSource(segmentOf: file, from: start, schema: segment.schema, rowCount: segment.rowCount)
        case .json:
            throw InputError("a JSON array cannot be read in parts", at: SourceLocation(path: path),
                             hint: "convert it to JSON Lines (one object per line), e.g. jq -c '.[]'")
        }
        pages = ConsumedPages(file)
        schema = segment.schema
        rowCount = segment.rowCount
        assembler = BatchAssembler(schema: schema, path: path)
    }

    /// Called with the input bytes each `nextBatch` call consumed (in order, with no gaps), before
    /// their pages are released: lets a caller digest the file in the same pass.
    public var onConsumed: ((UnsafeRawBufferPointer) -> Void)?

    /// `body` with bytes `range` of the mapped input (offsets relative to the map).
    public func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(rebasing: file.bytes[range]))
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
        if let onConsumed, source.position > start { onConsumed(UnsafeRawBufferPointer(rebasing: file.bytes[start..<source.position])) }
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
