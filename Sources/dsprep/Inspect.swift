import ArgumentParser
import DSPrepSupport
import Tokenizers

/// `dsprep inspect`: how a tokenizer cuts one text, stage by stage.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show how a tokenizer normalizes, splits and encodes a text: tokens, ids, offsets.")

    @Option(help: "A tokenizer.json, a BERT vocab.txt or a sentencepiece .model.")
    var tokenizer: String

    @Flag(help: "vocab.txt only: keep case.")
    var cased = false

    @Flag(help: "Do not add the post-processor's special tokens.")
    var noSpecialTokens = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        var loaded = try TokenizerLoader.load(path: tokenizer, casing: cased ? .cased : .automatic)
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
        let encoding = try loaded.encode(text, addSpecialTokens: !noSpecialTokens)
        var rows = [["#", "token", "id", "offsets", "source"]]
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
            rows.append(["\(index)", Self.quoted(encoding.tokens[index]) + (special ? " (special)" : ""),
                         "\(encoding.ids[index])", offsets, source])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].unicodeScalars.count }.max() ?? 0 }
        for row in rows {
            print(zip(row, widths).map { cell, width in
                cell + String(repeating: " ", count: max(0, width - cell.unicodeScalars.count))
            }.joined(separator: "  ").trimmingTrailingSpaces())
        }
        print("\(encoding.ids.count) tokens, \(scalars.count) scalars")
    }

    /// Quoted, with invisible characters escaped so a reader sees them.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .spaceSeparator where scalar != " ", .lineSeparator, .paragraphSeparator,
                 .privateUse, .unassigned, .surrogate:
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
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
