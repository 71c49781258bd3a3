import DSPrepSupport

/// CSV, TSV and plain text. The first pass reads the header, checks every record's field count
/// and infers each column's type (or checks the cells of overridden columns), while its walk
/// checks the UTF-8 and gathers what was asked; the second pass converts cells into batches.
final class DelimitedSource: RecordSource {
    let schema: Schema
    let rowCount: Int
    var position: Int { scanner.position }

    private var scanner: DelimitedScanner
    private let path: String
    /// Plain text keeps an empty line as an empty string; in CSV/TSV an empty field is null.
    private let emptyIsNull: Bool
    /// Where the header says the fields come from, for ragged-row messages.
    private let expectedCountSource: String
    private var unescaped: [UInt8] = []

    init(file: MappedFile, dataStart: Int, options: ResolvedIngestOptions, walk: inout FirstPassWalk) throws {
        path = file.path
        let isText = options.format == .text
        emptyIsNull = !isText
        let start = Self.scanner(file, from: dataStart, options: options)
        var scanner = start

        guard try scanner.nextRecord() else {
            let expected = isText ? "lines of text" : options.hasHeader ? "a header row" : "rows"
            throw InputError("file is empty, expected \(expected)", at: SourceLocation(path: path))
        }
        let names: [String]
        var dataBegin = start
        if isText {
            names = ["text"]
        } else if options.hasHeader {
            names = (0..<scanner.fieldCount).map { index in
                var bytes: [UInt8] = []
                scanner.unescapedField(index, into: &bytes)
                return bytes.isEmpty ? "column_\(index)" : String(decoding: bytes, as: UTF8.self)
            }
            try SchemaCheck.requireUniqueNames(names, path: path, line: scanner.recordLine)
            dataBegin = scanner
            try walk.advance(to: scanner.position)
        } else {
            names = (0..<scanner.fieldCount).map { "column_\($0)" }
        }
        try SchemaCheck.requireOverridesExist(options, names: names, path: path)
        expectedCountSource = Self.expectedCountSource(options)

        let overrides = names.map { options.overrideType(for: $0) }
        var inferred = [InferredType](repeating: .unknown, count: names.count)
        var rows = 0
        walk.dataStarts(at: dataBegin.position)
        let collected = names.indices.filter { walk.collects(column: $0, named: names[$0]) }
        var scratch: [UInt8] = []
        scanner = dataBegin
        while try scanner.nextRecord() {
            try Self.requireFieldCount(scanner, names.count, path: path, source: expectedCountSource)
            for column in 0..<names.count {
                if let type = overrides[column] {
                    let cell = scanner.field(column)
                    if cell.isEmpty && emptyIsNull { continue }
                    // A field with `""` escapes holds a quote, so it can only be text.
                    let fits = scanner.isEscaped(column) ? type == .string || type == .largeString : CellText.fits(cell, type)
                    guard fits else {
                        throw BatchAssembler.notFitting(
                            cell, field: Field(names[column], type), path: path, line: scanner.recordLine)
                    }
                } else if inferred[column] != .text {
                    inferred[column].merge(
                        scanner.isEscaped(column) ? .text : CellText.classify(scanner.field(column)))
                }
            }
            for column in collected {
                let cell = scanner.field(column)
                if cell.isEmpty && emptyIsNull {
                    walk.null(column, line: scanner.recordLine)
                } else if scanner.isEscaped(column) {
                    scanner.unescapedField(column, into: &scratch)
                    scratch.withUnsafeBytes { walk.cell(column, $0, line: scanner.recordLine) }
                } else {
                    walk.cell(column, cell, line: scanner.recordLine)
                }
            }
            rows += 1
            try walk.rowEnded(at: scanner.position)
        }
        if isText { inferred[0] = .text }
        schema = Schema(names.indices.map { Field(names[$0], overrides[$0] ?? inferred[$0].dataType) })
        rowCount = rows
        self.scanner = dataBegin
    }

    /// Rows of a schema found earlier, from a map of part of the file that starts on a record
    /// (`TabularReader.init(segment:)`): no first pass, so only these bytes are read.
    init(segmentOf file: MappedFile, from start: Int, schema: Schema, rowCount: Int, options: ResolvedIngestOptions) {
        path = file.path
        emptyIsNull = options.format != .text
        expectedCountSource = Self.expectedCountSource(options)
        scanner = Self.scanner(file, from: start, options: options)
        self.schema = schema
        self.rowCount = rowCount
    }

    private static func scanner(_ file: MappedFile, from start: Int, options: ResolvedIngestOptions) -> DelimitedScanner {
        let isText = options.format == .text
        return DelimitedScanner(bytes: file.bytes, start: start, path: file.path, delimiter: isText ? nil : options.delimiter,
                                quoting: options.quoting, skipsBlankLines: !isText)
    }

    private static func expectedCountSource(_ options: ResolvedIngestOptions) -> String {
        options.hasHeader && options.format != .text ? "as in the header" : "as in the first row"
    }

    func readRows(into assembler: inout BatchAssembler, maxRows: Int, maxBytes: Int) throws -> Int {
        let columnCount = schema.fields.count
        // A local copy: a class's stored property would be checked for exclusive access per use.
        var scanner = self.scanner
        defer { self.scanner = scanner }
        let startPosition = scanner.position
        var rows = 0
        while rows < maxRows, scanner.position - startPosition < maxBytes, try scanner.nextRecord() {
            try Self.requireFieldCount(scanner, columnCount, path: path, source: expectedCountSource)
            for column in 0..<columnCount {
                let cell = scanner.field(column)
                if cell.isEmpty && emptyIsNull {
                    assembler.appendNull(column)
                } else if scanner.isEscaped(column) {
                    scanner.unescapedField(column, into: &unescaped)
                    try unescaped.withUnsafeBytes { try assembler.appendText(column, $0, line: scanner.recordLine) }
                } else {
                    try assembler.appendText(column, cell, line: scanner.recordLine)
                }
            }
            assembler.endRow(line: scanner.recordLine)
            rows += 1
        }
        return rows
    }

    private static func requireFieldCount(_ scanner: DelimitedScanner, _ expected: Int, path: String, source: String) throws {
        guard scanner.fieldCount != expected else { return }
        throw InputError(
            "row has \(scanner.fieldCount) field\(scanner.fieldCount == 1 ? "" : "s"), expected \(expected) (\(source))",
            at: SourceLocation(path: path, line: scanner.recordLine),
            hint: scanner.quoting ? nil : "if fields contain the delimiter, quote them and turn quoting on")
    }
}
