import Datasets
import DSPrepSupport

/// How a label column becomes the `labels` column of token shards: class ids (int64, with the
/// names saved as an HF ClassLabel) for string or integer labels, float32 scores for regression.
public enum LabelEncoding: Sendable, Equatable {
    /// `names[i]` is the class of id i. String labels are sorted, as HF `class_encode_column`
    /// does; integer labels 0..<K keep their value and are named "0", "1", ...
    case classes(names: [String])
    case regression

    /// Chooses the encoding from every value the label column takes.
    public static func infer(type: DataType, distinct values: Set<Value>) throws -> LabelEncoding {
        switch type {
        case .float32, .float64:
            return .regression
        case .int8, .int16, .int32, .int64, .bool:
            let numbers = values.compactMap { value -> Int64? in
                switch value {
                case .int(let number): return number
                case .bool(let flag): return flag ? 1 : 0
                default: return nil
                }
            }
            guard let largest = numbers.max(), let smallest = numbers.min() else { return .classes(names: []) }
            guard smallest >= 0, largest < 100_000 else {
                throw InputError("integer labels must lie in 0..<100000 to be class ids, found \(smallest)...\(largest)",
                                 hint: "for regression give the label column a float type, e.g. --column score:float32")
            }
            return .classes(names: (0...largest).map(String.init))
        case .string, .largeString:
            return .classes(names: values.compactMap { if case .string(let name) = $0 { return name } else { return nil } }.sorted())
        case .list, .largeList:
            throw InputError("a list column cannot be a label")
        }
    }

    /// The Arrow type of the `labels` column.
    public var outputType: DataType {
        switch self {
        case .classes: return .int64
        case .regression: return .float32
        }
    }

    /// Appends the encoded label of `row` of `column` to `builder`; throws for values outside
    /// the known classes (which cannot happen when the encoding was inferred from all values).
    public func append(_ column: Column, row: Int, to builder: inout ColumnBuilder, ids: [String: Int64]) throws {
        if column.isNull(row) {
            builder.appendNull()
            return
        }
        switch self {
        case .regression:
            builder.append(column.double(row))
        case .classes:
            switch column.type {
            case .string, .largeString:
                let name = column.string(row)
                guard let id = ids[name] else { throw InputError("label '\(name)' is not one of the known classes") }
                builder.append(id)
            default:
                builder.append(column.integer(row))
            }
        }
    }

    /// Name → id for string classes.
    public var ids: [String: Int64] {
        guard case .classes(let names) = self else { return [:] }
        return Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int64($0)) })
    }
}
