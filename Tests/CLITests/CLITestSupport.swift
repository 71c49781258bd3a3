import Foundation
import TestSupport

/// Runs the built `dsprep` binary, as a user would, and captures its output and exit code.
enum DSPrepBinary {
    /// The `dsprep` built beside the test runner (same products folder, whatever the scratch path).
    static var url: URL {
        let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return runner.deletingLastPathComponent().appendingPathComponent("dsprep")
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    currentDirectory: String? = nil) throws -> ProcessResult {
        try ChildProcess.run(url.path, arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment,
                             currentDirectory: currentDirectory)
    }
}

/// A tiny cased WordPiece vocabulary written by hand, so tests need no ../shared.
enum TinyVocabulary {
    static let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "영화", "##가", "좋", "##다", "별로", "."]

    /// Writes `tokens` (or another list) as a vocab.txt at `path`.
    static func write(to path: String, tokens: [String] = tokens) throws {
        try (tokens.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// The bundled NSMC sample (train + test splits) tokenized with the tokenizer the project ships,
/// the starting point of the train / evaluate / predict tests.
enum SampleShards {
    static let tokenizer = TestEnvironment.repositoryRoot.appendingPathComponent("vocab/default-tokenizer.json").path

    static func tokenize(into out: String, maxLength: Int, tokenizer: String = tokenizer) throws -> ProcessResult {
        let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample")
        return try DSPrepBinary.run([
            "tokenize", sample.appendingPathComponent("train.tsv").path, sample.appendingPathComponent("test.tsv").path,
            "--tokenizer", tokenizer, "--out", out, "--max-length", String(maxLength), "--no-cache", "--quiet",
        ])
    }
}
