import ArgumentParser
import DSPrepSupport
import Foundation

/// The raw input files of `ingest` and `tokenize`: one file gives a dataset; several, or files
/// named as splits, give a split collection.
struct InputFiles: ParsableArguments {
    @Argument(help: "Input files; several give a split collection named after them (train, validation, test).")
    var inputs: [String] = []

    @Option(name: .customLong("data-file"),
            help: ArgumentHelp("A split's input file, e.g. validation=dev.tsv (repeatable).", valueName: "split=file"))
    var dataFiles: [String] = []

    /// `--split name=file`, the earlier spelling of `--data-file` (`--split` picks a split elsewhere).
    @Option(name: .customLong("split"), help: .private)
    var splitFiles: [String] = []

    private var named: [String] { dataFiles + splitFiles }

    var isEmpty: Bool { inputs.isEmpty && named.isEmpty }

    /// Named files, or several files, make a split collection.
    var asCollection: Bool { inputs.count > 1 || !named.isEmpty }

    /// The `--data-file` pairs, then the inputs named after their files (train, validation, test
    /// when the file name says so, else the file's stem).
    func resolve() throws -> [(name: String, path: String)] {
        var resolved: [(name: String, path: String)] = try named.map { spec in
            guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, spec.index(after: equals) != spec.endIndex else {
                throw ValidationError("--data-file expects split=file, got '\(spec)'")
            }
            return (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
        }
        resolved += inputs.map { (Self.splitName(for: $0), $0) }
        guard !resolved.isEmpty else { throw ValidationError("give at least one input file") }
        var seen = Set<String>()
        for (name, path) in resolved {
            // A split name becomes a folder inside --out: the check reading applies, so "../x" cannot leave it.
            try OutputPolicy.checkPlainName(name, what: "split name", at: SourceLocation(path: "--data-file \(name)=\(path)"))
            if !seen.insert(name).inserted {
                throw ValidationError("two inputs map to the split '\(name)': name them with --data-file SPLIT=FILE")
            }
        }
        return resolved
    }

    static func splitName(for path: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let lower = stem.lowercased()
        if lower.contains("train") { return "train" }
        if lower.contains("valid") || lower.contains("dev") { return "validation" }
        if lower.contains("test") { return "test" }
        return stem
    }
}
