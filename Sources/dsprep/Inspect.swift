import ArgumentParser
import DSPrepSupport
import Foundation
import Tokenizers

/// `dsprep inspect`: a dataset folder (schema, counts, rows, tokens next to ids), or how a
/// tokenizer cuts one text, stage by stage.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a dataset folder's schema and rows, or how a tokenizer encodes a text: tokens, ids, offsets.",
        discussion: """
            dsprep inspect DIR [--rows N] [--split NAME]: a dataset folder's schema and rows; token ids are shown \
            decoded with the tokenizer that wrote them (or --tokenizer).

            dsprep inspect [--tokenizer PATH] "some text": the normalizer's and the pre-tokenizer's output, then a \
            table of token, id, offsets and source substring.
            """)

    @OptionGroup var tokenizer: TokenizerOption

    @Option(help: "Dataset folders: rows to show.")
    var rows = 10

    @Option(help: "Dataset folders holding several splits: the split to show (default: train, or the first).")
    var split: String?

    /// For a vocab.txt (a tokenizer.json says itself how it normalizes).
    @Flag var casing: Casing?

    @Flag(inversion: .prefixedNo, help: "Add the post-processor's special tokens ([CLS]/[SEP], <s>, ...).")
    var specialTokens = true

    @Argument(help: "A dataset folder, or the text to tokenize.")
    var text: String

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            let decoder = try tokenizer.tokenizer.map { try TokenizerLoader.load(path: $0, casing: casing.loading) }
            try DatasetInspection.run(path: text, split: split, rows: rows, tokenizer: decoder)
            return
        }
        var loaded = try TokenizerLoader.load(path: try tokenizer.pathNotingDefault(), casing: casing.loading)
        // Padding only adds rows of [PAD]: leave it out of the picture.
        if let pipeline = loaded as? Tokenizer { loaded = pipeline.withPadding(nil) }
        let scalars = Array(text.unicodeScalars)
        if let pipeline = loaded as? Tokenizer {
            let stages = try pipeline.stages(of: text)
            print("normalized:    " + stages.normalized.map { Self.quoted($0.text) }.joined(separator: " | "))
            print("pre-tokenized: " + stages.words.map { word -> String in
                let range = word.originalRange(of: 0..<word.count).map { "[\($0.start),\($0.end))" } ?? ""
                return Self.quoted(word.text) + range
            }.joined(separator: " "))
        }
        let encoding = try loaded.encode(text, addSpecialTokens: specialTokens)
        var table = [["#", "token", "id", "offsets", "source"]]
        for index in encoding.ids.indices {
            var offsets = "", source = ""
            if index < encoding.offsets.count {
                let (start, end) = (Int(encoding.offsets[index].start), Int(encoding.offsets[index].end))
                offsets = "[\(start), \(end))"
                if start < end, end <= scalars.count {
                    source = Self.quoted(String(String.UnicodeScalarView(scalars[start..<end])))
                }
            }
            let special = index < encoding.specialTokensMask.count && encoding.specialTokensMask[index] == 1
            table.append(["\(index)", Self.quoted(encoding.tokens[index]) + (special ? " (special)" : ""),
                         "\(encoding.ids[index])", offsets, source])
        }
        let widths = (0..<5).map { column in table.map { $0[column].displayWidth }.max() ?? 0 }
        for row in table {
            print(zip(row, widths).map { $0.rightPadded(to: $1) }.joined(separator: "  ").trimmingTrailingSpaces())
        }
        print("\(encoding.ids.count) tokens, \(scalars.count) scalars")
    }

    /// Quoted, with invisible characters escaped so a reader sees them.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            let invisible: Bool
            switch category {
            case .spaceSeparator: invisible = scalar != " "
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate: invisible = true
            default: invisible = false
            }
            if invisible {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                if scalar == "\"" || scalar == "\\" { result += "\\" }
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
