import ArgumentParser
import DSPrepSupport
import Foundation

/// `--tokenizer`, for every command that loads a tokenizer.
struct TokenizerOption: ParsableArguments {
    @Option(help: "A tokenizer.json, BERT vocab.txt, sentencepiece .model, or an HF model folder (default: the project's Korean tokenizer, vocab/\(DefaultTokenizer.fileName)).")
    var tokenizer: String?

    /// The tokenizer given, else the project's.
    func path() throws -> String { try tokenizer ?? DefaultTokenizer.path() }

    /// Says which tokenizer is used when none was given.
    func defaultNote(path: String) -> String? {
        tokenizer == nil ? "tokenizer \(path) (change with --tokenizer)" : nil
    }

    /// `path()`, saying on standard error when it is the default (standard output is the data).
    func pathNotingDefault() throws -> String {
        let path = try path()
        if let note = defaultNote(path: path) { FileHandle.standardError.write(Data("using \(note)\n".utf8)) }
        return path
    }
}

/// Where the project's default tokenizer is: `DSPREP_TOKENIZER`, else `vocab/` of the checkout
/// the binary was built in (…/.build/release/dsprep → …/vocab).
enum DefaultTokenizer {
    static let fileName = "default-tokenizer.json"

    static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["DSPREP_TOKENIZER"], !path.isEmpty { return path }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("vocab/" + fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw InputError("no default tokenizer found (vocab/\(fileName) beside the dsprep checkout)",
                         hint: "pass --tokenizer PATH (a tokenizer.json, vocab.txt or sentencepiece .model) or set DSPREP_TOKENIZER")
    }
}
