import Datasets
import DSPrepSupport
import Foundation
import Tokenizers

/// A `dsprep vocab train` job: which vocabulary to learn, from which text column, with every
/// trainer option. One process counts the whole corpus (`trainer`, `forEachBatch`) and trains;
/// or K processes count byte ranges of it and one trains on their counts (`VocabPlan`), with
/// the same vocabulary file.
public struct VocabJob: Codable, Sendable {
    public enum Model: String, Codable, Sendable, CaseIterable { case wordpiece, unigram }

    public var model: Model
    /// Vocabulary size, special tokens included.
    public var vocabSize: Int
    /// The text column (nil: found by name, `ColumnRoles`).
    public var textColumn: String?
    /// WordPiece (HF WordPieceTrainer conventions).
    public var minFrequency = 0
    public var limitAlphabet: Int?
    public var initialAlphabet = ""
    public var specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    /// Uncased BERT: lowercase and strip accents.
    public var lowercase = false
    /// Unigram (sentencepiece's trainer).
    public var normalization = UnigramTrainerOptions.NormalizationRule.nmtNFKC.rawValue
    public var characterCoverage = 0.9995
    public var byteFallback = false
    public var splitDigits = false
    public var splitByWhitespace = true
    public var userDefinedSymbols: [String] = []

    public init(model: Model, vocabSize: Int, textColumn: String?) {
        self.model = model
        self.vocabSize = vocabSize
        self.textColumn = textColumn
    }

    /// Whether `out` names the one file to write (a .json for WordPiece, a .model for Unigram)
    /// rather than a folder.
    public func writesFile(_ out: String) -> Bool { out.hasSuffix(model == .unigram ? ".model" : ".json") }

    /// Refuses an `out` the output rule does not let the vocabulary go to (`OutputPolicy`): an
    /// existing file without `overwrite`, a folder that is not an earlier vocabulary, an input.
    public func checkOutput(_ out: String, inputs: [String], overwrite: Bool) throws {
        if writesFile(out) {
            try OutputPolicy.checkFile(out, inputs: inputs, overwrite: overwrite)
        } else {
            try OutputPolicy.checkFolder(out, kind: .tokenizer, inputs: inputs)
        }
    }

    /// A trainer that counts texts for this job; bad options fail here, before any input is read.
    public func trainer(threads: Int) throws -> VocabTrainer {
        switch model {
        case .wordpiece:
            var trainer = WordPieceTrainer(vocabularySize: vocabSize)
            trainer.minFrequency = Int64(minFrequency)
            trainer.limitAlphabet = limitAlphabet
            trainer.initialAlphabet = initialAlphabet.unicodeScalars.map(\.value)
            trainer.specialTokens = specialTokens
            trainer.normalizer.lowercase = lowercase
            trainer.normalizer.stripAccents = lowercase
            guard trainer.specialTokens.contains(trainer.unknownToken) else {
                throw InputError("--reserved-tokens must include \(trainer.unknownToken), WordPiece's unknown token")
            }
            let counter = WordCounter(normalizer: trainer.normalizer, preTokenizer: WordPieceTrainer.preTokenizer, threads: threads)
            return VocabTrainer(wordPiece: trainer, counter: counter, vocabSize: vocabSize)
        case .unigram:
            guard let rule = UnigramTrainerOptions.NormalizationRule(rawValue: normalization) else {
                throw InputError("--normalization must be one of \(UnigramTrainerOptions.NormalizationRule.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var options = UnigramTrainerOptions(vocabularySize: vocabSize)
            options.normalization = rule
            options.characterCoverage = characterCoverage
            options.byteFallback = byteFallback
            options.splitDigits = splitDigits
            options.splitByWhitespace = splitByWhitespace
            options.userDefinedSymbols = userDefinedSymbols
            return VocabTrainer(unigram: try UnigramTrainer(options: options, threads: threads), vocabSize: vocabSize)
        }
    }

    // MARK: - Reading the corpus

    /// Calls `body(count, utf8)` with each batch of texts of the text column of `path`, a file
    /// (read in two passes) or a dataset folder.
    public func forEachBatch(in path: String, ingest: IngestOptions = IngestOptions(), quiet: Bool, _ body: (Int, (Int) -> UnsafeRawBufferPointer) throws -> Void) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            let datasets = DatasetDict.isDatasetDict(at: path)
                ? try DatasetDict.load(from: path).datasets : [try Dataset.load(from: path)]
            for dataset in datasets {
                let text = try textColumn(of: dataset.schema, path: path)
                for batch in dataset.table.batches { try Self.texts(of: batch, column: text, path: path, body) }
            }
            return
        }
        let reader = try TabularReader(path: path, options: ingest)
        let column = try textColumn(of: reader.schema, path: path)
        let progress = ProgressBar("read \(URL(fileURLWithPath: path).lastPathComponent)", total: reader.byteCount, unit: "bytes", quiet: quiet)
        while let batch = try reader.nextBatch(maxRows: Self.batchRows) {
            try Self.texts(of: batch, column: column, path: path, body)
            progress.update(to: reader.bytesRead)
        }
        progress.finish()
    }

    /// Rows per batch of texts.
    static let batchRows = 1 << 16

    /// The job's text column in `schema` (given, or found by name), which must hold text.
    func textColumn(of schema: Schema, path: String) throws -> String {
        let name = try ColumnRoles.resolve(schema: schema, text: textColumn, textPair: nil, label: nil, labelDisabled: true, path: path).text
        guard let field = schema.fields.first(where: { $0.name == name }), field.type == .string || field.type == .largeString else {
            throw InputError("column '\(name)' does not hold text", at: SourceLocation(path: path),
                             hint: "pass --text-column NAME of a string column")
        }
        return name
    }

    /// Calls `body(count, utf8)` with the texts of column `name` of `batch` (a null is an empty text).
    static func texts(of batch: RecordBatch, column name: String, path: String,
                              _ body: (Int, (Int) -> UnsafeRawBufferPointer) throws -> Void) throws {
        guard let column = batch.column(name) else {
            throw InputError("no column named '\(name)'", at: SourceLocation(path: path))
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        try body(batch.count) { column.isNull($0) ? empty : column.stringBytes($0) }
    }
}

/// Counts texts for a `VocabJob`, then trains on the counts and writes the vocabulary. One of
/// the two trainers is set (the counts are changed in place, never copied).
public struct VocabTrainer {
    private var wordPiece: (trainer: WordPieceTrainer, counter: WordCounter)?
    private var unigram: UnigramTrainer?
    private let vocabSize: Int

    init(wordPiece: WordPieceTrainer, counter: WordCounter, vocabSize: Int) {
        self.wordPiece = (wordPiece, counter)
        self.vocabSize = vocabSize
    }

    init(unigram: UnigramTrainer, vocabSize: Int) {
        self.unigram = unigram
        self.vocabSize = vocabSize
    }

    /// Counts `count` texts; `utf8(i)` gives text `i` as UTF-8.
    public mutating func add(_ count: Int, utf8: (Int) -> UnsafeRawBufferPointer) throws {
        try wordPiece?.counter.add(count, utf8: utf8)
        try unigram?.add(count, utf8: utf8)
    }

    /// Adds the counts of texts counted apart (by a trainer of the same job), as if read here next.
    public mutating func add(_ next: CountedTexts) {
        wordPiece?.counter.add(next)
        unigram?.add(next)
    }

    /// What has been counted so far.
    public var counted: CountedTexts { wordPiece?.counter.counted ?? unigram?.counted ?? CountedTexts() }

    /// Trains on everything counted and writes the vocabulary to `out`: that one file when
    /// `asFile` (a tokenizer.json, or a sentencepiece .model), else a folder (tokenizer.json and
    /// vocab.txt, or tokenizer.model and its tokenizer.json), whole or not at all. Returns what
    /// was made, for the summary line.
    public func train(writingTo out: String, asFile: Bool, quiet: Bool) throws -> String {
        if let (trainer, counter) = wordPiece {
            let merging = ProgressBar("train wordpiece", total: vocabSize, unit: "tokens", quiet: quiet)
            let vocabulary = try trainer.train(counter.words) { merging.update(to: $0) }
            merging.finish()
            let tokenizer = try trainer.tokenizer(vocabulary: vocabulary)
            if asFile {
                try TokenizerJSON.save(tokenizer, to: out)
            } else {
                try AtomicOutput.writeDirectory(at: out, kind: .tokenizer) { folder in
                    try TokenizerJSON.save(tokenizer, to: folder + "/tokenizer.json")
                    try AtomicOutput.writeFile(Data(WordPieceTrainer.vocabularyText(vocabulary).utf8), to: folder + "/vocab.txt")
                }
            }
            return "\(vocabulary.count) tokens from \(counter.textCount) texts (\(counter.words.count) distinct words)"
        }
        guard let trainer = unigram else { preconditionFailure("a VocabTrainer holds one trainer") }
        let bar = ProgressBar("train unigram", total: 100, unit: "%", quiet: quiet)
        let proto = try trainer.train { done, total in bar.update(to: 100 * done / max(total, 1)) }
        bar.finish()
        let model = Data(proto.serialized(trainerFields: trainer.trainerSpecFields))
        if asFile {
            try AtomicOutput.writeFile(model, to: out)
        } else {
            try AtomicOutput.writeDirectory(at: out, kind: .tokenizer) { folder in
                try AtomicOutput.writeFile(model, to: folder + "/tokenizer.model")
                try TokenizerJSON.write(unigram: proto, to: folder + "/tokenizer.json")
            }
        }
        return "\(vocabSize) pieces from \(trainer.counted.texts) texts"
    }
}
