import Datasets
import DSPrepSupport

/// Collects the distinct values of a label column batch by batch, for `LabelEncoding.infer`:
/// the single-run job and the planner (which reads the rows once for labels and shard offsets)
/// share it. Scores must be finite numbers: an empty, NaN or infinite one is an error at its
/// line, never a class of its own.
public struct LabelScan {
    public let column: Int
    public let type: DataType
    private let name: String
    private let path: String
    private var distinct = Set<Value>()
    /// The first "nan"/"inf" read as text: an error if every other value is a number too.
    private var firstNonFinite: (text: String, line: Int)?

    public init(schema: Schema, column name: String, path: String) throws {
        guard let index = schema.index(of: name) else { throw InputError("no column '\(name)'", at: SourceLocation(path: path)) }
        column = index
        type = schema.fields[index].type
        self.name = name
        self.path = path
    }

    private var isScore: Bool { type == .float32 || type == .float64 }

    /// Adds a batch's labels; `lines` holds each row's line in the file (`TabularReader.batchLines`).
    public mutating func add(_ batch: RecordBatch, lines: [Int]) throws {
        let values = batch.columns[column]
        for row in 0..<values.count {
            let line = lines[row]
            if values.isNull(row) {
                if isScore { throw badScore("an empty", line: line) }
                continue
            }
            if isScore {
                let value = values.double(row)
                if !value.isFinite { throw badScore("'\(value)'", line: line) }
                continue
            }
            let value = values.value(row)
            if firstNonFinite == nil, case .string(let text) = value, let number = Double(text), !number.isFinite {
                firstNonFinite = (text, line)
            }
            distinct.insert(value)
        }
    }

    public func encoding() throws -> LabelEncoding {
        if isScore { return .regression }
        // Numbers with a NaN or inf among them read as text: a score column, not class names.
        if let (text, line) = firstNonFinite,
           distinct.allSatisfy({ if case .string(let name) = $0 { return Double(name) != nil } else { return false } }) {
            throw badScore("'\(text)'", line: line)
        }
        return try LabelEncoding.infer(type: type, distinct: distinct)
    }

    private func badScore(_ value: String, line: Int) -> InputError {
        InputError("\(value) score in the label column '\(name)': scores must be finite numbers", at: SourceLocation(path: path, line: line),
                   hint: "fix or drop the row, or pass --no-label (prediction) or another --label-column")
    }
}
