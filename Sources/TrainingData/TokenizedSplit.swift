import Datasets
import DSPrepSupport
import Foundation
import Training

/// Opens a tokenized dataset folder (`dsprep tokenize` output, or any HF dataset with
/// `input_ids`) as `LabelledRows` for the trainer: tokens in place, `token_type_ids` when the
/// rows are pairs, `pair_input_ids` when a pair's texts were encoded separately (for a
/// bi-encoder), `labels` (a ClassLabel or integers → class ids, floats → regression targets),
/// and lengths from the stored `length` column.
public enum TokenizedSplit {
    public enum LabelUse: Sendable { case required, optional, ignored }

    /// Splits tried, in order, when `path` holds several and none was named.
    public static let trainSplits = ["train"]
    public static let evalSplits = ["validation", "dev", "test"]
    /// The column `dsprep tokenize --pair-encoding separate` writes the second texts' ids to.
    public static let pairInputIdsColumn = "pair_input_ids"

    /// `path` is one split's folder, or a split collection, from which the first of
    /// `preferredSplits` present is used. `extraListColumns` (name → pad value) are read in place
    /// and padded into every batch next to the tokens.
    /// `labels`: `.ignored` reads no labels at all (prediction).
    public static func load(_ path: String, preferredSplits: [String], labels labelUse: LabelUse = .required,
                            extraListColumns: [String: Int32] = [:]) throws -> LabelledRows<ShardTokenRows> {
        let folder = try resolve(path, preferredSplits: preferredSplits)
        let dataset = try Dataset.load(from: folder)
        let table = dataset.table
        let inputIds = try ShardTokenRows(table: table, column: "input_ids", source: folder)
        let tokenTypeIds = try table.schema.index(of: "token_type_ids").map { _ in
            try ShardTokenRows(table: table, column: "token_type_ids", source: folder).copy()
        }
        let pairInputIds = try table.schema.index(of: Self.pairInputIdsColumn).map { _ in
            try ShardTokenRows(table: table, column: Self.pairInputIdsColumn, source: folder)
        }
        var lengths: [Int]
        if let index = table.schema.index(of: "length") {
            lengths = []
            lengths.reserveCapacity(table.count)
            for batch in table.batches { for row in 0..<batch.count { lengths.append(Int(batch.columns[index].integer(row))) } }
        } else {
            lengths = (0..<inputIds.rowCount).map { inputIds.length(of: $0) + (pairInputIds?.length(of: $0) ?? 0) }
        }
        let labelColumn = labelUse == .ignored ? nil : ["labels", "label"].first { table.schema.index(of: $0) != nil }
        let labels = try labelColumn.map { try readLabels(table, column: $0, source: folder) }
        if labelUse == .required && labels == nil {
            throw InputError("no labels column", at: SourceLocation(path: folder), hint: "tokenize with the label column (see --label-column)")
        }
        let labelNames = labelColumn.flatMap { dataset.classLabelNames(of: $0) }
        if case .classes(let ids)? = labels, let labelNames, let row = ids.firstIndex(where: { Int($0) >= labelNames.count }) {
            throw InputError("label in row \(row) is \(ids[row]), outside the ClassLabel's \(labelNames.count) classes (\(labelNames.prefix(5).joined(separator: ", ")))",
                             at: SourceLocation(path: folder), hint: "re-tokenize the raw file so labels and ClassLabel agree")
        }
        var rows = LabelledRows(inputIds: inputIds, tokenTypeIds: tokenTypeIds, labels: labels, lengths: lengths,
                                labelNames: labelNames, source: folder)
        rows.pairInputIds = pairInputIds
        rows.extraColumns = try extraListColumns.sorted { $0.key < $1.key }.map { name, padValue in
            Collator.ListColumn(name: name, rows: try ShardTokenRows(table: table, column: name, source: folder), padValue: padValue)
        }
        return rows
    }

    static func resolve(_ path: String, preferredSplits: [String]) throws -> String {
        guard DatasetDict.isDatasetDict(at: path) else { return path }
        let splits = try DatasetDict.splitNames(in: path)
        guard let split = preferredSplits.first(where: splits.contains) else {
            throw InputError("this folder holds the splits \(splits.joined(separator: ", ")), none of \(preferredSplits.joined(separator: ", "))",
                             at: SourceLocation(path: path), hint: "name one split's folder, e.g. \(path)/\(splits.first ?? "train")")
        }
        return path + "/" + split
    }

    static func readLabels(_ table: Table, column name: String, source: String) throws -> Batch.Labels {
        guard let index = table.schema.index(of: name) else { throw InputError("no \(name) column", at: SourceLocation(path: source)) }
        let type = table.schema.fields[index].type
        var start = 0
        switch type {
        case .int8, .int16, .int32, .int64, .bool:
            var ids: [Int32] = []
            ids.reserveCapacity(table.count)
            for batch in table.batches {
                let column = batch.columns[index]
                for row in 0..<column.count {
                    let value = column.integer(row)
                    guard !column.isNull(row), value >= 0, value <= Int64(Int32.max) else {
                        throw InputError("label in row \(start + row) is \(column.isNull(row) ? "null" : String(value)), expected a class id ≥ 0",
                                         at: SourceLocation(path: source))
                    }
                    ids.append(Int32(value))
                }
                start += column.count
            }
            return .classes(ids)
        case .float32, .float64:
            var values: [Float] = []
            values.reserveCapacity(table.count)
            for batch in table.batches {
                let column = batch.columns[index]
                for row in 0..<column.count {
                    let value = Float(column.double(row))
                    guard !column.isNull(row), value.isFinite else {
                        throw InputError("label in row \(start + row) is not a finite number", at: SourceLocation(path: source))
                    }
                    values.append(value)
                }
                start += column.count
            }
            return .values(values)
        default:
            throw InputError("column \(name) is \(type), expected class ids or float scores", at: SourceLocation(path: source),
                             hint: "tokenize the raw file so labels are encoded")
        }
    }
}

extension LabelledRows {
    /// The same rows with class ids renumbered to `names` by label name, for data whose ClassLabel
    /// was built separately (another tokenize run, a raw file). Unknown names are an error.
    public func relabelled(as names: [String]?) throws -> LabelledRows {
        guard case .classes(let ids)? = labels, let ownNames = labelNames, let names, ownNames != names else { return self }
        let index = Dictionary(names.enumerated().map { ($0.element, Int32($0.offset)) }, uniquingKeysWith: { first, _ in first })
        var mapped = self
        mapped.labels = .classes(try ids.enumerated().map { row, id in
            guard Int(id) < ownNames.count, let target = index[ownNames[Int(id)]] else {
                let name = Int(id) < ownNames.count ? ownNames[Int(id)] : String(id)
                throw InputError("row \(row) has label \(name), which the model does not know (\(names.joined(separator: ", ")))",
                                 at: SourceLocation(path: source))
            }
            return target
        })
        mapped.labelNames = names
        return mapped
    }
}
