import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a dsprep output folder holds, as recorded in its marker: a later run replaces only
/// dsprep's own output of the same kind.
public enum OutputKind: String, Sendable {
    /// A save_to_disk dataset or split collection: ingest, tokenize, merge, dataset operations.
    case dataset
    /// `vocab train` into a folder.
    case tokenizer
    /// `train --out`: checkpoints and logs, written into as training goes.
    case trainingRun = "training-run"
    /// One `checkpoint-N/` folder of a training run.
    case checkpoint

    /// Written whole and renamed into place (so its marker lists everything in it), as opposed
    /// to a folder a run keeps writing into.
    var isWrittenWhole: Bool { self != .trainingRun }
}

/// dsprep's one rule for every path it writes (README, "Outputs"):
///
/// - It never deletes what it did not write. An existing folder is replaced only when it is
///   empty or its marker (`.dsprep-output`, written into every folder dsprep creates) names the
///   same kind of output and lists everything in it; an existing file only with `--overwrite`.
///   A training run's folder is not replaced but written into (resuming, more checkpoints).
/// - An output never equals, lies inside, or contains one of the run's inputs.
/// - A name taken from data or flags becomes a path component only through `checkPlainName`,
///   the same check that reading applies.
public enum OutputPolicy {
    public static let markerFile = ".dsprep-output"

    /// Checks, before any work, that `path` may receive a folder of `kind`.
    public static func checkFolder(_ path: String, kind: OutputKind, flag: String = "--out", inputs: [String]) throws {
        try checkApart(path, from: inputs, flag: flag)
        try checkReplaceable(path, kind: kind, flag: flag)
    }

    /// Checks, before any work, that `path` may receive a file: absent, or an existing file and
    /// `overwrite` given (a file carries no marker, so dsprep cannot tell its own from the user's).
    public static func checkFile(_ path: String, inputs: [String], overwrite: Bool, flag: String = "--out") throws {
        try checkApart(path, from: inputs, flag: flag)
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let location = SourceLocation(path: path)
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            throw InputError("\(flag) names an existing folder, but this command writes a file", at: location,
                             hint: "give \(flag) a file name that does not exist yet")
        case S_IFREG where overwrite:
            return
        case S_IFREG:
            throw InputError("\(flag) names an existing file; dsprep replaces a file only when asked", at: location,
                             hint: "pass --overwrite to replace it, or choose another \(flag) path")
        default:
            throw InputError("\(flag) names something that is not a regular file", at: location,
                             hint: "choose another \(flag) path")
        }
    }

    /// Whether an existing folder at `path` may be replaced by an output of `kind`: it is absent,
    /// empty, or dsprep's own output of that kind with nothing added since. Checked up front and
    /// again just before the replacement.
    public static func checkReplaceable(_ path: String, kind: OutputKind, flag: String? = "--out") throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let location = SourceLocation(path: path)
        let named = flag.map { "\($0) names" } ?? "the output is"
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw InputError("\(named) an existing \((info.st_mode & S_IFMT) == S_IFLNK ? "symbolic link" : "file"), not a folder dsprep wrote",
                             at: location, hint: "choose a new \(flag ?? "output") path; dsprep never replaces what it did not write")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if entries.isEmpty { return }
        guard let marker = readMarker(in: path) else {
            throw InputError("\(named) an existing folder that dsprep did not write (it has no \(markerFile) marker)", at: location,
                             hint: "choose a new \(flag ?? "output") path, or move or remove this folder yourself; dsprep never deletes what it did not write")
        }
        guard marker.kind == kind.rawValue else {
            throw InputError("\(named) a folder holding dsprep's \(marker.kind) output, not a \(kind.rawValue) output", at: location,
                             hint: "choose another \(flag ?? "output") path")
        }
        guard kind.isWrittenWhole else { return }
        let added = entries.filter { $0 != markerFile && !marker.entries.contains($0) }.sorted()
        guard added.isEmpty else {
            throw InputError("\(named) dsprep's earlier output, but something was added to it since (\(added.prefix(3).joined(separator: ", ")))",
                             at: location, hint: "move what you added elsewhere, or choose another \(flag ?? "output") path")
        }
    }

    /// Creates (or reuses, see `checkReplaceable`) a folder that a run writes into as it goes,
    /// such as a training run's output directory, and marks it.
    public static func prepareFolder(_ path: String, kind: OutputKind, flag: String? = nil) throws {
        precondition(!kind.isWrittenWhole, "folders written whole go through AtomicOutput.writeDirectory")
        try checkReplaceable(path, kind: kind, flag: flag)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw InputError("cannot create the folder", at: SourceLocation(path: path), hint: "check the path and its permissions")
        }
        if readMarker(in: path) == nil { try writeMarker(kind: kind, in: path) }
    }

    /// Writes the marker into `folder` (a complete output about to be moved into place),
    /// listing the entries it holds.
    public static func writeMarker(kind: OutputKind, in folder: String) throws {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != markerFile }.sorted()
        let json = JSONValue.object([
            ("written_by", .string("dsprep")), ("kind", .string(kind.rawValue)), ("entries", .array(entries.map { .string($0) })),
        ])
        try Data(json.serialized(.pythonDumps(indent: nil)).utf8).write(to: URL(fileURLWithPath: folder + "/" + markerFile))
    }

    /// The kind recorded in `folder`'s marker, if it has a readable one.
    public static func markedKind(of folder: String) -> String? { readMarker(in: folder)?.kind }

    private static func readMarker(in folder: String) -> (kind: String, entries: Set<String>)? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + markerFile),
              let object = try? data.withUnsafeBytes({ try JSONValue.parse($0, path: folder + "/" + markerFile) }),
              object["written_by"]?.stringValue == "dsprep", let kind = object["kind"]?.stringValue
        else { return nil }
        return (kind, Set(object["entries"]?.arrayValue?.compactMap(\.stringValue) ?? []))
    }

    /// Refuses an output equal to, inside, or containing an input (compared after resolving
    /// symbolic links and `..`).
    public static func checkApart(_ output: String, from inputs: [String], flag: String = "--out") throws {
        let out = canonicalComponents(output)
        for input in inputs {
            let source = canonicalComponents(input)
            let relation: String
            if out == source {
                relation = "is the input"
            } else if out.starts(with: source) {
                relation = "lies inside the input"
            } else if source.starts(with: out) {
                relation = "contains the input"
            } else {
                continue
            }
            throw InputError("\(flag) \(relation) \(input); a run never writes over what it reads", at: SourceLocation(path: output),
                             hint: "choose an \(flag) path outside the inputs")
        }
    }

    /// `path` as absolute components, symbolic links of its existing part resolved.
    static func canonicalComponents(_ path: String) -> [String] {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        // realpath needs an existing path: resolve the longest existing prefix, keep the rest.
        while url.path != "/" {
            if let resolved = realpath(url.path, nil) {
                defer { free(resolved) }
                url = URL(fileURLWithPath: String(cString: resolved))
                break
            }
            missing.insert(url.lastPathComponent, at: 0)
            url.deleteLastPathComponent()
        }
        return url.pathComponents + missing
    }

    /// A name from data or flags (a split name, a file name read from metadata) that becomes one
    /// entry of a folder: not empty, no `/`, not `.` or `..`, not hidden (dsprep's markers and
    /// temporary folders are hidden), no NUL. Reading and writing both check with this.
    public static func checkPlainName(_ name: String, what: String, at location: SourceLocation) throws {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0") else {
            throw InputError("\(what) '\(name)' cannot be a folder entry (it must be a plain name: no '/', not starting with '.')",
                             at: location, hint: "rename it, e.g. train, validation or test")
        }
    }
}
