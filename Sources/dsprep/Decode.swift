import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep decode`: one line of token ids per input line → one line of text.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Turn token ids back into text, one line of space-separated ids per line.",
        discussion: """
            Prints exactly one line per input line, in order (an empty line decodes to an empty line). A \
            tokenizer.json decodes as HF tokenizers' Tokenizer.decode, a sentencepiece .model as sentencepiece's \
            decode_ids. An id that is not a non-negative integer or has no token is an error naming the file, line and \
            column; nothing is printed then.
            """)

    @OptionGroup var tokenizer: TokenizerOption

    @Flag(inversion: .prefixedNo, help: "Print special tokens ([CLS], <s>, ...; sentencepiece never prints control pieces). HF's default leaves them out.")
    var specialTokens = false

    /// `--keep-special-tokens` / `--skip-special-tokens`, the earlier spellings of --special-tokens / --no-special-tokens.
    @Flag(name: .customLong("keep-special-tokens"), help: .private)
    var keepSpecialTokens = false
    @Flag(name: .customLong("skip-special-tokens"), help: .private)
    var skipSpecialTokens = false

    @Option(help: "text (the decoded text; a decoded newline breaks the one-line-per-input rule) or json (a JSON string per line).")
    var outputFormat: TextOrJSON = .text

    @OptionGroup var threads: ThreadsOption

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    func run() throws {
        let path = try tokenizer.pathNotingDefault()
        let loaded = try TokenizerLoader.load(path: path)
        let inputs = try files.isEmpty ? [LineInput.standardInput()] : files.map(LineInput.file)
        // All ids are read and checked before the first byte is written.
        let documents = try inputs.map { try $0.documents(format: .text, threads: threads.count) }
        let idLines = try documents.map { try LineDecoder.ids(of: $0, tokenizer: loaded) }
        let output = FileHandle.standardOutput
        let skip = skipSpecialTokens || !(specialTokens || keepSpecialTokens)
        let chunk = LineEncoder.chunkLines
        for lines in idLines {
            let chunks = try Parallel.map((lines.count + chunk - 1) / chunk, threads: threads.count) { part -> Data in
                var bytes: [UInt8] = []
                for ids in lines[part * chunk..<min(lines.count, (part + 1) * chunk)] {
                    let text = loaded.decode(ids, skipSpecialTokens: skip)
                    if outputFormat == .json { JSONStringLiteral.append(text, to: &bytes) } else { bytes += text.utf8 }
                    bytes.append(0x0A)
                }
                return Data(bytes)
            }
            for data in chunks { output.write(data) }
        }
    }
}
