import ArgumentParser
import Datasets

extension IngestFormat: ExpressibleByArgument {}

/// How to read raw input files: shared by every command that reads them (`ingest`, `tokenize`,
/// `vocab train`, and `evaluate` / `predict` on a raw file).
struct InputFlags: ParsableArguments {
    @Option(help: "Input format (default: from the file extension).")
    var format: IngestFormat?

    @Option(help: "Field delimiter for csv/tsv, one character or \\t (default: ',' for csv, tab for tsv).")
    var delimiter: String?

    @Flag(inversion: .prefixedNo, help: "Treat '\"' as a field quote (RFC 4180). Default: on for csv, off for tsv.")
    var quoting: Bool?

    @Flag(name: .customLong("no-header"), help: "The first csv/tsv row is data; columns are column_0, column_1, ...")
    var noHeader = false

    @Option(name: .customLong("column"), help: ArgumentHelp(
        "Force a column's type, e.g. label:int64 or score:float32 (repeatable).", valueName: "name:type"))
    var columnTypes: [String] = []

    func validate() throws {
        if let bare = columnTypes.first(where: { !$0.contains(":") }) {
            throw ValidationError("--column takes a column's type as name:type (e.g. label:int64), got '\(bare)'; the text column is --text-column NAME")
        }
    }

    func ingestOptions() throws -> IngestOptions {
        IngestOptions(
            format: format, delimiter: try delimiter.map(IngestOptions.parseDelimiter), quoting: quoting,
            hasHeader: !noHeader, columnTypes: try columnTypes.map(ColumnTypeOverride.init(parsing:)))
    }

    /// A stable description of these options, for cache keys.
    var cacheDescription: String {
        "format=\(format?.rawValue ?? "auto") delimiter=\(delimiter ?? "auto") quoting=\(quoting.map { "\($0)" } ?? "auto") header=\(!noHeader) columns=\(columnTypes.joined(separator: ","))"
    }
}
