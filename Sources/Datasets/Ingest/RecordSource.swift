import DSPrepSupport

/// One input format behind `TabularReader`. A source checks the whole file and settles the
/// schema when it is created (the first pass), then hands out rows batch by batch (the second).
protocol RecordSource: AnyObject {
    var schema: Schema { get }
    /// Rows in the file, known from the first pass.
    var rowCount: Int { get }
    /// Offset of the next unread byte of the file in the second pass.
    var position: Int { get }
    /// Appends up to `maxRows` rows (and stops early past `maxBytes` of input); returns how
    /// many were appended, 0 at the end of the file.
    func readRows(into assembler: inout BatchAssembler, maxRows: Int, maxBytes: Int) throws -> Int
}

/// Schema checks shared by the formats.
enum SchemaCheck {
    /// Fails on a repeated column name, naming both positions.
    static func requireUniqueNames(_ names: [String], path: String, line: Int) throws {
        var firstIndex: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if let earlier = firstIndex[name] {
                throw InputError(
                    "duplicate column name '\(name)' (columns \(earlier + 1) and \(index + 1))",
                    at: SourceLocation(path: path, line: line),
                    hint: "rename one of them in the header")
            }
            firstIndex[name] = index
        }
    }

    /// Fails when a type override names a column the file does not have.
    static func requireOverridesExist(_ options: ResolvedIngestOptions, names: [String], path: String) throws {
        let known = Set(names)
        for override in options.columnTypes where !known.contains(override.name) {
            throw InputError(
                "a type is given for column '\(override.name)', which the file does not have",
                at: SourceLocation(path: path),
                hint: "columns: " + names.joined(separator: ", "))
        }
    }
}
