import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep encode`: one document per input line → one line of token ids, pieces or JSON.
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Tokenize text, one document per line, with a tokenizer.json, a BERT vocab.txt or a sentencepiece .model.",
        discussion: """
            Prints exactly one line per input line, in order (empty lines included), encoding on all cores. The \
            tokenizer file's truncation applies; its padding only with --pad. Offsets are [start, end) in Unicode \
            scalars of the input line (of each text, for --text-pair-column pairs), [0, 0] for special tokens.

            With --format jsonl each line is a JSON object: the text is its --text-column field (default: the first of \
            document, text, sentence, ... it has), and --text-pair-column names a second text, encoded as a pair (the \
            tokenizer's pair template, e.g. [CLS] A [SEP] B [SEP]; json output adds "type_ids").
            """)

    @OptionGroup var tokenizer: TokenizerOption

    @Option(help: "id (ids separated by spaces), piece (tokens) or json ({\"ids\",\"tokens\",\"offsets\"}, and \"overflowing\" windows when truncated).")
    var outputFormat: TokenOutputFormat = .id

    @Flag(inversion: .prefixedNo, help: "Add the post-processor's special tokens ([CLS]/[SEP], <s>, ...).")
    var specialTokens = true

    @Flag(help: "Apply the padding configured in the tokenizer.json.")
    var pad = false

    @Option(help: "text (each line is a document) or jsonl (each line a JSON object; see --text-column).")
    var format: LineInputFormat = .text

    /// `--input-format`, the earlier spelling of --format.
    @Option(name: .customLong("input-format"), help: .private)
    var inputFormat: LineInputFormat?

    @OptionGroup var text: TextColumnOption
    @OptionGroup var textPair: TextPairColumnOption

    /// `--field` and `--pair-field`, the earlier spellings of --text-column and --text-pair-column.
    @Option(name: .customLong("field"), help: .private)
    var field: String?
    @Option(name: .customLong("pair-field"), help: .private)
    var pairField: String?

    @Option(help: ArgumentHelp("sentencepiece .model only: the N best segmentations of each line, tab-separated (json: an array).",
                               valueName: "N"))
    var nbest: Int?

    @Flag(help: "sentencepiece .model only: draw one segmentation per line (subword regularization), from all of them or, with --nbest N, from the N best; probability ∝ exp(alpha · score). Each line draws from its own stream of --seed, so the output does not depend on threads.")
    var sample = false

    @Option(help: "With --sample: the smoothing parameter alpha.")
    var alpha: Float = 0.1

    @OptionGroup var seed: SeedOption

    /// For a vocab.txt (a tokenizer.json says itself how it normalizes).
    @Flag var casing: Casing?

    @OptionGroup var threads: ThreadsOption

    @Argument(help: "Input files (default: standard input).")
    var files: [String] = []

    private var inputFormatUsed: LineInputFormat { inputFormat ?? format }
    private var textField: String? { text.textColumn ?? field }
    private var pairTextField: String? { textPair.textPairColumn ?? pairField }

    func validate() throws {
        if inputFormatUsed == .text && (textField != nil || pairTextField != nil) {
            throw ValidationError("--text-column and --text-pair-column are only for --format jsonl")
        }
        if pairTextField != nil && (nbest != nil || sample) { throw ValidationError("--nbest and --sample encode single texts, not --text-pair-column pairs") }
        if let nbest, nbest < 1 || nbest > (sample ? 512 : 1024) {
            throw ValidationError("--nbest takes 1...\(sample ? 512 : 1024)\(sample ? " with --sample" : "")")
        }
        if (nbest != nil || sample) && !(tokenizer.tokenizer?.hasSuffix(".model") ?? false) {
            throw ValidationError("--nbest and --sample need a sentencepiece .model tokenizer")
        }
        if (nbest != nil || sample) && pad { throw ValidationError("--pad does not apply to --nbest or --sample") }
    }

    func run() throws {
        let path = try tokenizer.pathNotingDefault()
        var loaded = try TokenizerLoader.load(path: path, casing: casing.loading)
        if let pipeline = loaded as? Tokenizer {
            if pad && pipeline.padding == nil {
                throw InputError("--pad given, but the tokenizer has no padding configuration", at: SourceLocation(path: path))
            }
            loaded = pad ? pipeline : pipeline.withPadding(nil)
        } else if pad {
            throw InputError("--pad needs a tokenizer.json with a padding configuration", at: SourceLocation(path: path))
        }
        var segmentation = LineEncoder.Segmentation.best
        if sample {
            segmentation = .sample(nbestSize: nbest ?? -1, alpha: alpha, seed: seed.seed)
        } else if let nbest {
            segmentation = .nbest(nbest)
        }
        let encoder = LineEncoder(tokenizer: loaded, format: outputFormat, addSpecialTokens: specialTokens,
                                  segmentation: segmentation, threads: threads.count)
        let inputs = try files.isEmpty ? [LineInput.standardInput()] : files.map(LineInput.file)
        // Everything that can fail on user data (UTF-8, JSON fields) is checked before the first
        // byte is written, so an error never leaves partial output behind.
        let documents = try inputs.map {
            try $0.documents(format: inputFormatUsed, field: textField, pairField: pairTextField, threads: threads.count)
        }
        let output = FileHandle.standardOutput
        for document in documents {
            try encoder.encode(document) { output.write($0) }
        }
    }
}

extension TokenOutputFormat: ExpressibleByArgument {}

extension LineInputFormat: ExpressibleByArgument {
    /// "lines" is the earlier name of `text`.
    public init?(argument: String) { self.init(rawValue: argument == "lines" ? "text" : argument) }
}
