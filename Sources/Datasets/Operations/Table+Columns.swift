import DSPrepSupport

/// Column-level operations. They share the column buffers: nothing is copied.
extension Table {
    /// The column named `name` across all batches, or an error that lists the columns there are.
    public func columnIndex(_ name: String) throws -> Int {
        guard let index = schema.index(of: name) else {
            throw InputError("no column named '\(name)'", hint: "columns: \(schema.names.joined(separator: ", "))")
        }
        return index
    }

    /// Keeps only `names`, in that order.
    public func selectColumns(_ names: [String]) throws -> Table {
        if let name = Schema(names.map { Field($0, .string) }).duplicateName {
            throw InputError("column '\(name)' is selected twice", hint: "name each column once")
        }
        let indices = try names.map(columnIndex)
        return Table(
            schema: Schema(indices.map { schema.fields[$0] }),
            batches: batches.map { batch in
                RecordBatch(schema: Schema(indices.map { schema.fields[$0] }), columns: indices.map { batch.columns[$0] })
            })
    }

    public func removeColumns(_ names: [String]) throws -> Table {
        for name in names { _ = try columnIndex(name) }
        return try selectColumns(schema.names.filter { !names.contains($0) })
    }

    public func renameColumn(_ old: String, to new: String) throws -> Table {
        let index = try columnIndex(old)
        if old != new, schema.index(of: new) != nil {
            throw InputError("cannot rename '\(old)' to '\(new)': a column named '\(new)' exists")
        }
        var fields = schema.fields
        fields[index].name = new
        let renamed = Schema(fields)
        return Table(schema: renamed, batches: batches.map { RecordBatch(schema: renamed, columns: $0.columns) })
    }

    /// All values of one column, batch by batch.
    public func columnChunks(_ name: String) throws -> [Column] {
        let index = try columnIndex(name)
        return batches.map { $0.columns[index] }
    }
}
