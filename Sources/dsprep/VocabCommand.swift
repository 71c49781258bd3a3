import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// `dsprep vocab train`: learns a subword vocabulary from the text column of any input the
/// dataset engine reads.
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab", abstract: "Train subword vocabularies.", subcommands: [Train.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a WordPiece (HF WordPieceTrainer conventions) or sentencepiece Unigram vocabulary on a text column.",
            discussion: """
                Inputs are csv, tsv, jsonl, json or text files (read as ingest reads them: --format, --delimiter, \
                ...), or dataset folders (save_to_disk). The output is the same bytes for the same inputs and options, \
                whatever the thread count.

                WordPiece: the words are what the tokenizer being trained sees: BertNormalizer (cased unless \
                --uncased), then BertPreTokenizer. With --out NAME.json only the tokenizer.json is written; otherwise \
                --out is a folder that gets tokenizer.json and vocab.txt.

                Unigram: sentencepiece's trainer (--normalization, --character-coverage, --byte-fallback, \
                --split-digits, --no-split-by-whitespace, --user-defined-symbols; special pieces <unk>=0 <s>=1 \
                </s>=2). With --out NAME.model only that file is written; otherwise --out is a folder that gets \
                tokenizer.model and its HF tokenizer.json form (Precompiled normalizer, Metaspace, Unigram).
                """)

        enum ModelKind: String, ExpressibleByArgument, CaseIterable { case wordpiece, unigram }

        @Option(help: "wordpiece or unigram (sentencepiece .model).")
        var model: ModelKind = .wordpiece

        @Option(help: "Vocabulary size, special tokens included.")
        var vocabSize: Int

        @OptionGroup var text: TextColumnOption

        @OptionGroup var input: InputFlags

        @Option(help: "Stop merging when the best pair occurs fewer times than this.")
        var minFrequency: Int = 0

        @Option(help: "Keep only this many initial characters (the most frequent).")
        var limitAlphabet: Int?

        @Option(help: "Characters always in the alphabet, e.g. 'abc' (each character counts).")
        var initialAlphabet: String = ""

        @Option(help: "WordPiece: the special tokens (HF's special_tokens), comma separated, in id order from 0 (default: \(defaultReservedTokens)).")
        var reservedTokens: String?

        /// `--special-tokens LIST`, the earlier spelling of --reserved-tokens (encode and decode's
        /// --special-tokens is a switch).
        @Option(name: .customLong("special-tokens"), help: .private)
        var specialTokens: String?

        /// WordPiece: the BERT normalizer the tokenizer gets.
        @Flag var casing: Casing?

        /// `--lowercase`, the earlier spelling of --uncased.
        @Flag(name: .customLong("lowercase"), help: .private)
        var lowercase = false

        @Option(help: "Unigram: sentencepiece's normalization rule (nmt_nfkc, nfkc, identity).")
        var normalization: String = "nmt_nfkc"

        @Option(help: "Unigram: share of the characters the alphabet covers (0.98...1).")
        var characterCoverage: Double = 0.9995

        @Flag(help: "Unigram: add the 256 <0xNN> byte pieces for unknown characters.")
        var byteFallback = false

        @Flag(help: "Unigram: every digit is a piece of its own.")
        var splitDigits = false

        @Flag(inversion: .prefixedNo, help: "Unigram: pieces never cross a word start (sentencepiece's split_by_whitespace).")
        var splitByWhitespace = true

        @Option(help: "Unigram: pieces kept whole, comma separated.")
        var userDefinedSymbols: String = ""

        @Option(help: "Output: a .json (WordPiece) or .model (Unigram) file (replaced only with --overwrite), or a folder (new, empty, or an earlier vocab train output, which is replaced).")
        var out: String

        @Flag(help: "Replace an existing --out file (a .json or .model; folders follow dsprep's output rule).")
        var overwrite = false

        @OptionGroup var threads: ThreadsOption

        @OptionGroup var quiet: QuietFlag

        @Argument(help: "Input files or dataset folders.")
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one input file") }
            if vocabSize < 1 { throw ValidationError("--vocab-size must be positive") }
            if minFrequency < 0 { throw ValidationError("--min-frequency must not be negative") }
            if let limitAlphabet, limitAlphabet < 0 { throw ValidationError("--limit-alphabet must not be negative") }
        }

        static let defaultReservedTokens = "[PAD],[UNK],[CLS],[SEP],[MASK]"

        /// Whether --out names one file rather than a folder.
        private var writesFile: Bool { out.hasSuffix(model == .unigram ? ".model" : ".json") }

        func run() throws {
            if writesFile {
                try OutputPolicy.checkFile(out, inputs: files, overwrite: overwrite)
            } else {
                try OutputPolicy.checkFolder(out, kind: .tokenizer, inputs: files)
            }
            if model == .unigram { return try trainUnigram() }
            let start = Date()
            var trainer = WordPieceTrainer(vocabularySize: vocabSize)
            trainer.minFrequency = Int64(minFrequency)
            trainer.limitAlphabet = limitAlphabet
            trainer.initialAlphabet = initialAlphabet.unicodeScalars.map(\.value)
            trainer.specialTokens = (reservedTokens ?? specialTokens ?? Self.defaultReservedTokens).split(separator: ",").map(String.init)
            let uncased = casing == .uncased || lowercase
            trainer.normalizer.lowercase = uncased
            trainer.normalizer.stripAccents = uncased
            guard trainer.specialTokens.contains(trainer.unknownToken) else {
                throw InputError("--reserved-tokens must include \(trainer.unknownToken), WordPiece's unknown token")
            }
            var counter = WordCounter(normalizer: trainer.normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: threads.count)
            for path in files { try forEachBatch(in: path) { try counter.add($0, utf8: $1) } }

            let merging = ProgressBar("train wordpiece", total: vocabSize, unit: "tokens", quiet: quiet.quiet)
            let vocabulary = try trainer.train(counter.words) { merging.update(to: $0) }
            merging.finish()
            let tokenizer = try trainer.tokenizer(vocabulary: vocabulary)
            if writesFile {
                try TokenizerJSON.save(tokenizer, to: out)
            } else {
                try AtomicOutput.writeDirectory(at: out, kind: .tokenizer) { folder in
                    try TokenizerJSON.save(tokenizer, to: folder + "/tokenizer.json")
                    try AtomicOutput.writeFile(Data(WordPieceTrainer.vocabularyText(vocabulary).utf8), to: folder + "/vocab.txt")
                }
            }
            if !quiet.quiet {
                print(String(format: "%d tokens from %d texts (%d distinct words) in %.1f s → %@",
                             vocabulary.count, counter.textCount, counter.words.count, Date().timeIntervalSince(start), out))
            }
        }

        private func trainUnigram() throws {
            let start = Date()
            guard let rule = UnigramTrainerOptions.NormalizationRule(rawValue: normalization) else {
                throw ValidationError("--normalization must be one of \(UnigramTrainerOptions.NormalizationRule.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var options = UnigramTrainerOptions(vocabularySize: vocabSize)
            options.normalization = rule
            options.characterCoverage = characterCoverage
            options.byteFallback = byteFallback
            options.splitDigits = splitDigits
            options.splitByWhitespace = splitByWhitespace
            options.userDefinedSymbols = userDefinedSymbols.split(separator: ",").map(String.init)
            var trainer = try UnigramTrainer(options: options, threads: threads.count)
            for path in files { try forEachBatch(in: path) { try trainer.add($0, utf8: $1) } }
            let bar = ProgressBar("train unigram", total: 100, unit: "%", quiet: quiet.quiet)
            let proto = try trainer.train { done, total in bar.update(to: 100 * done / max(total, 1)) }
            bar.finish()
            let model = Data(proto.serialized(trainerFields: trainer.trainerSpecFields))
            if writesFile {
                try AtomicOutput.writeFile(model, to: out)
            } else {
                try AtomicOutput.writeDirectory(at: out, kind: .tokenizer) { folder in
                    try AtomicOutput.writeFile(model, to: folder + "/tokenizer.model")
                    try TokenizerJSON.write(unigram: proto, to: folder + "/tokenizer.json")
                }
            }
            if !quiet.quiet {
                print(String(format: "%d pieces from %d texts in %.1f s → %@", vocabSize, trainer.sentenceCount,
                             Date().timeIntervalSince(start), out))
            }
        }

        /// Calls `body(count, utf8)` with each batch of texts of the text column of `path`.
        private func forEachBatch(in path: String, _ body: (Int, (Int) -> UnsafeRawBufferPointer) throws -> Void) throws {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                let datasets = DatasetDict.isDatasetDict(at: path)
                    ? try DatasetDict.load(from: path).datasets : [try Dataset.load(from: path)]
                for dataset in datasets {
                    let column = try textColumn(dataset.schema, path: path)
                    for batch in dataset.table.batches { try texts(of: batch, column: column, path: path, body) }
                }
                return
            }
            let reader = try TabularReader(path: path, options: try input.ingestOptions())
            let column = try textColumn(reader.schema, path: path)
            let progress = ProgressBar("read \(URL(fileURLWithPath: path).lastPathComponent)", total: reader.byteCount,
                                       unit: "bytes", quiet: quiet.quiet)
            while let batch = try reader.nextBatch(maxRows: 1 << 20) {
                try texts(of: batch, column: column, path: path, body)
                progress.update(to: reader.bytesRead)
            }
            progress.finish()
        }

        private func textColumn(_ schema: Schema, path: String) throws -> String {
            let name = try ColumnRoles.resolve(schema: schema, text: text.textColumn, textPair: nil, label: nil, labelDisabled: true, path: path).text
            guard let field = schema.fields.first(where: { $0.name == name }), field.type == .string || field.type == .largeString else {
                throw InputError("column '\(name)' does not hold text", at: SourceLocation(path: path),
                                 hint: "pass --text-column NAME of a string column")
            }
            return name
        }

        private func texts(of batch: RecordBatch, column name: String, path: String,
                           _ body: (Int, (Int) -> UnsafeRawBufferPointer) throws -> Void) throws {
            guard let column = batch.column(name) else {
                throw InputError("no column named '\(name)'", at: SourceLocation(path: path))
            }
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            try body(batch.count) { column.isNull($0) ? empty : column.stringBytes($0) }
        }
    }
}
