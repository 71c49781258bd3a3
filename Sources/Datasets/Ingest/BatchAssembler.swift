import DSPrepSupport

/// Collects the cells of one record batch into column builders, converting cell text to each
/// column's type and reporting a cell that does not fit with its file, line and column name.
struct BatchAssembler {
    let schema: Schema
    let path: String
    private(set) var builders: [ColumnBuilder] = []
    /// Each column's conversion, decided once: switching on `DataType` (an indirect enum) for
    /// every cell costs reference counting.
    private let conversions: [Conversion]

    private enum Conversion {
        case string, int64, narrowInteger, float64, float32, bool, list
    }

    init(schema: Schema, path: String) {
        self.schema = schema
        self.path = path
        conversions = schema.fields.map { field in
            switch field.type {
            case .string, .largeString: return .string
            case .int64: return .int64
            case .int8, .int16, .int32: return .narrowInteger
            case .float64: return .float64
            case .float32: return .float32
            case .bool: return .bool
            case .list, .largeList: return .list
            }
        }
    }

    /// The file line each row of the batch starts on (`endRow`), for errors found after ingest.
    private(set) var rowLines: [Int] = []

    /// Starts a new batch of about `capacity` rows.
    mutating func start(capacity: Int) {
        builders = schema.fields.map { ColumnBuilder($0.type, capacity: capacity) }
        rowLines = []
        rowLines.reserveCapacity(capacity)
    }

    /// Ends a row that started on `line`.
    @inline(__always)
    mutating func endRow(line: Int) { rowLines.append(line) }

    mutating func finish() -> RecordBatch {
        let columns = builders.indices.map { builders[$0].finish() }
        builders = []
        return RecordBatch(schema: schema, columns: columns)
    }

    @inline(__always)
    mutating func appendNull(_ column: Int) { builders[column].appendNull() }

    /// Appends cell text (valid UTF-8), parsed as the column's type.
    @inline(__always)
    mutating func appendText(_ column: Int, _ cell: UnsafeRawBufferPointer, line: Int) throws {
        switch conversions[column] {
        case .string:
            builders[column].appendString(cell)
        case .int64:
            guard let value = CellText.parseInt64(cell) else { throw notFitting(cell, column, line) }
            builders[column].append(value)
        case .narrowInteger:
            guard let value = CellText.parseInt64(cell), CellText.integer(value, fits: schema.fields[column].type) else {
                throw notFitting(cell, column, line)
            }
            builders[column].append(value)
        case .float64, .float32:
            // A finite value that overflows float32 does not fit it.
            guard let value = CellText.parseDouble(cell),
                conversions[column] == .float64 || !value.isFinite || Float(value).isFinite
            else { throw notFitting(cell, column, line) }
            builders[column].append(value)
        case .bool:
            guard let value = CellText.parseBool(cell) else { throw notFitting(cell, column, line) }
            builders[column].append(value)
        case .list:
            throw notFitting(cell, column, line)
        }
    }

    /// Appends a list of numbers, strings or bools (`Value` elements); only JSON has lists.
    mutating func appendList(_ column: Int, _ elements: [Value], line: Int) throws {
        do {
            try builders[column].append(Value.list(elements))
        } catch {
            let name = schema.fields[column].name
            throw InputError(
                "a list in column '\(name)' does not fit \(schema.fields[column].type)",
                at: SourceLocation(path: path, line: line))
        }
    }

    private func notFitting(_ cell: UnsafeRawBufferPointer, _ column: Int, _ line: Int) -> InputError {
        Self.notFitting(cell, field: schema.fields[column], path: path, line: line)
    }

    static func notFitting(_ cell: UnsafeRawBufferPointer, field: Field, path: String, line: Int) -> InputError {
        var text = String(decoding: cell.prefix(60), as: UTF8.self)
        if cell.count > 60 { text += "..." }
        return InputError(
            "value '\(text)' in column '\(field.name)' does not fit type \(field.type)",
            at: SourceLocation(path: path, line: line),
            hint: "fix the value, or give the column another type, e.g. \(field.name):string")
    }
}
