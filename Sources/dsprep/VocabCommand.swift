import ArgumentParser
import DSPrepSupport
import Foundation
import Preprocessing

/// `dsprep vocab train`: learns a subword vocabulary from the text column of any input the
/// dataset engine reads (`VocabJob`); `vocab count` and `vocab merge` do it over shards
/// (VocabCommand+Shards.swift).
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab", abstract: "Train subword vocabularies.", subcommands: [Train.self, Count.self, Merge.self])

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
        var out: String?

        @Option(help: ArgumentHelp("Plan --num-shards shards of the inputs into this JSON file and stop (see vocab count and vocab merge).", valueName: "plan.json"))
        var planOut: String?

        @Option(help: "With --plan-out: how many shards (processes counting words) to plan.")
        var numShards: Int?

        @OptionGroup var overwriteFlag: OverwriteFlag

        @OptionGroup var threads: ThreadsOption

        @OptionGroup var quiet: QuietFlag

        @Argument(help: "Input files or dataset folders.")
        var files: [String]

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one input file") }
            if vocabSize < 1 { throw ValidationError("--vocab-size must be positive") }
            if minFrequency < 0 { throw ValidationError("--min-frequency must not be negative") }
            if let limitAlphabet, limitAlphabet < 0 { throw ValidationError("--limit-alphabet must not be negative") }
            try validatePlanFlags()  // VocabCommand+Shards.swift
        }

        static let defaultReservedTokens = "[PAD],[UNK],[CLS],[SEP],[MASK]"

        /// The job the flags describe.
        var job: VocabJob {
            var job = VocabJob(model: model == .unigram ? .unigram : .wordpiece, vocabSize: vocabSize, textColumn: text.textColumn)
            job.minFrequency = minFrequency
            job.limitAlphabet = limitAlphabet
            job.initialAlphabet = initialAlphabet
            job.specialTokens = (reservedTokens ?? specialTokens ?? Self.defaultReservedTokens).split(separator: ",").map(String.init)
            job.lowercase = casing == .uncased || lowercase
            job.normalization = normalization
            job.characterCoverage = characterCoverage
            job.byteFallback = byteFallback
            job.splitDigits = splitDigits
            job.splitByWhitespace = splitByWhitespace
            job.userDefinedSymbols = userDefinedSymbols.split(separator: ",").map(String.init)
            return job
        }

        func run() throws {
            if let planOut, let numShards { return try plan(into: planOut, numShards: numShards) }
            guard let out else { return }  // validate() requires --out without --plan-out
            let job = job
            try job.checkOutput(out, inputs: files, overwrite: overwriteFlag.overwrite)
            let start = Date()
            var trainer = try job.trainer(threads: threads.count)
            let ingest = try input.ingestOptions()
            for path in files { try job.forEachBatch(in: path, ingest: ingest, quiet: quiet.quiet) { try trainer.add($0, utf8: $1) } }
            let made = try trainer.train(writingTo: out, asFile: job.writesFile(out), quiet: quiet.quiet)
            if !quiet.quiet { print(String(format: "%@ in %.1f s → %@", made, Date().timeIntervalSince(start), out)) }
        }
    }
}
