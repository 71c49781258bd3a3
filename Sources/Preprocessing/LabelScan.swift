import Datasets
import DSPrepSupport

/// Collects the distinct values of a label column batch by batch, for `LabelEncoding.infer`:
/// the single-run job and the planner (which reads the rows once for labels and shard offsets)
/// share it.
public struct LabelScan {
    public let column: Int
    public let type: DataType
    private var distinct = Set<Value>()

    public init(schema: Schema, column name: String, path: String) throws {
        guard let index = schema.index(of: name) else { throw InputError("no column '\(name)'", at: SourceLocation(path: path)) }
        column = index
        type = schema.fields[index].type
    }

    /// Scores need no values: the encoding is known from the type.
    public var needsValues: Bool { type != .float32 && type != .float64 }

    public mutating func add(_ batch: RecordBatch) {
        guard needsValues else { return }
        let values = batch.columns[column]
        for row in 0..<values.count where !values.isNull(row) { distinct.insert(values.value(row)) }
    }

    public func encoding() throws -> LabelEncoding {
        try LabelEncoding.infer(type: type, distinct: distinct)
    }
}
