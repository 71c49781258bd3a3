/// Keeping features in step with column operations.
extension Features {
    /// Features for the columns of `schema`: a column keeps its feature (e.g. ClassLabel names)
    /// when it still has the same type, and gets the plain feature of its type otherwise.
    public func selecting(_ schema: Schema) -> Features {
        Features(schema.fields.map { field in
            if let feature = self[field.name], feature.dataType == field.type { return (field.name, feature) }
            return (field.name, Feature(inferredFrom: field.type))
        })
    }

    public func renaming(_ old: String, to new: String) -> Features {
        Features(zip(names, features).map { ($0 == old ? new : $0, $1) })
    }
}
