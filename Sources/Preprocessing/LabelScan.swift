import Datasets
import DSPrepSupport

/// The encoding of a label column (`LabelEncoding.infer`), told from the distinct cells the
/// reader's first pass collected (`DistinctCells`), so that neither the single-run job nor the
/// planner reads the rows for it. Scores must be finite numbers: an empty, NaN or infinite one is
/// an error at its line (the first in the file), never a class of its own.
public enum LabelScan {
    public static func encoding(of distinctCells: [String: DistinctCells], column name: String, schema: Schema,
                                path: String) throws -> LabelEncoding {
        guard let index = schema.index(of: name), let cells = distinctCells[name] else {
            throw InputError("no column '\(name)'", at: SourceLocation(path: path))
        }
        let type = schema.fields[index].type
        func badScore(_ value: String, line: Int) -> InputError {
            InputError("\(value) score in the label column '\(name)': scores must be finite numbers", at: SourceLocation(path: path, line: line),
                       hint: "fix or drop the row, or pass --no-label (prediction) or another --label-column")
        }
        if type == .float32 || type == .float64 {
            let empty = cells.firstNullLine.map { (value: "an empty", line: $0) }
            let nonFinite = cells.firstNonFinite.map { (value: "'\($0.value)'", line: $0.line) }
            if let first = [empty, nonFinite].compactMap({ $0 }).min(by: { $0.line < $1.line }) { throw badScore(first.value, line: first.line) }
            return .regression
        }
        guard let values = cells.values(as: type), let texts = cells.texts else {
            throw InputError("the label column '\(name)' holds more than \(DistinctCells.limit) distinct values: too many to be classes",
                             at: SourceLocation(path: path),
                             hint: "for scores give it a float type (--column \(name):float32); else pass another --label-column or --no-label")
        }
        // Numbers with a NaN or inf among them read as text: a score column, not class names.
        if type == .string || type == .largeString, texts.keys.allSatisfy({ Double($0) != nil }),
           let first = texts.filter({ !(Double($0.key)?.isFinite ?? true) }).min(by: { $0.value < $1.value }) {
            throw badScore("'\(first.key)'", line: first.value)
        }
        return try LabelEncoding.infer(type: type, distinct: values)
    }
}
