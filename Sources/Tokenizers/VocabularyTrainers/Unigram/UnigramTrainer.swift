import CCharsMaps
import DSPrepSupport
import Foundation

/// Trains a sentencepiece Unigram model (src/unigram_model_trainer.cc's algorithm; our own code):
/// 1. read: normalize each text with the model's normalizer and count its words
///    (`UnigramSentenceReader`);
/// 2. keep the characters covering `characterCoverage` of the text (`RequiredCharacters`);
/// 3. seed the vocabulary with frequent substrings (`SubstringCounts`, `SeedPieces`);
/// 4. EM: expected piece counts by forward-backward over every word's lattice (`WordLattices`),
///    re-scored by the digamma M step (`UnigramMaximization`), `subIterations` times; then prune
///    to `shrinkingFactor` of the pieces by likelihood loss (`UnigramPruner`); until at most
///    1.1 × the wanted size is left;
/// 5. finalize: required characters, then the best-scoring pieces, after the special,
///    user-defined and byte pieces.
/// The result depends only on the texts (in order) and the options, never on the thread count.
public struct UnigramTrainer {
    public let options: UnigramTrainerOptions
    public let threads: Int
    private var reader: UnigramSentenceReader
    let normalizerSpec: SentencePieceModelProto.NormalizerSpec
    /// Special, user-defined and byte pieces with their ids, in id order.
    let metaPieces: [(id: Int, bytes: [UInt8], type: SentencePieceModelProto.PieceType)]

    /// The words read so far, and the texts kept for training (empty, over-long and
    /// reserved-character texts are not).
    public var counted: CountedTexts { reader.counted }

    public init(options: UnigramTrainerOptions, threads: Int) throws {
        self.options = options
        self.threads = max(1, threads)
        guard options.vocabularySize > 0 else { throw InputError("the vocabulary size must be positive") }
        guard (0.98...1.0).contains(options.characterCoverage) else {
            throw InputError("character coverage \(options.characterCoverage) is out of range", hint: "use a value in 0.98...1 (sentencepiece's range)")
        }
        guard (1...255).contains(options.maxPieceLength) else {
            throw InputError("max piece length \(options.maxPieceLength) is out of range", hint: "use 1...255")
        }
        guard options.shrinkingFactor > 0 && options.shrinkingFactor < 1 else {
            throw InputError("shrinking factor \(options.shrinkingFactor) must be between 0 and 1")
        }
        metaPieces = try Self.layMetaPieces(options)
        normalizerSpec = try Self.normalizerSpec(options.normalization)
        let normalizer = try SentencePieceNormalizer(spec: normalizerSpec, treatWhitespaceAsSuffix: false,
                                                     userDefinedSymbols: nil, path: "<\(options.normalization.rawValue)>")
        reader = UnigramSentenceReader(normalizer: normalizer, metaPieces: metaPieces.map(\.bytes),
                                       splitByWhitespace: options.splitByWhitespace,
                                       maxSentenceLength: options.maxSentenceLength, threads: self.threads)
    }

    /// sentencepiece's `InitMetaPieces`: unknown, BOS, EOS and pad at their ids, then the
    /// user-defined symbols and the 256 byte pieces in the lowest free ids.
    static func layMetaPieces(_ options: UnigramTrainerOptions) throws -> [(id: Int, bytes: [UInt8], type: SentencePieceModelProto.PieceType)] {
        var byID: [Int: ([UInt8], SentencePieceModelProto.PieceType)] = [:]
        for (id, piece, type) in [(options.unknownID, options.unknownPiece, SentencePieceModelProto.PieceType.unknown),
                                  (options.beginID, options.beginPiece, .control), (options.endID, options.endPiece, .control),
                                  (options.padID, options.padPiece, .control)] where id >= 0 {
            guard id < options.vocabularySize, byID[id] == nil else {
                throw InputError("special piece id \(id) (\(piece)) is taken twice or not below the vocabulary size \(options.vocabularySize)")
            }
            byID[id] = (Array(piece.utf8), type)
        }
        guard options.unknownID >= 0 else { throw InputError("the unknown piece needs an id >= 0") }
        var extra: [([UInt8], SentencePieceModelProto.PieceType)] = options.userDefinedSymbols.map { (Array($0.utf8), .userDefined) }
        if options.byteFallback {
            extra += (0..<256).map { (Array(String(format: "<0x%02X>", $0).utf8), .byte) }
        }
        var seen = Set(byID.values.map(\.0))
        var next = 0
        for (bytes, type) in extra {
            guard !bytes.isEmpty, seen.insert(bytes).inserted else {
                throw InputError("user-defined symbol '\(String(decoding: bytes, as: UTF8.self))' is empty or defined twice")
            }
            while byID[next] != nil { next += 1 }
            byID[next] = (bytes, type)
        }
        return byID.keys.sorted().map { ($0, byID[$0]!.0, byID[$0]!.1) }
    }

    static func normalizerSpec(_ rule: UnigramTrainerOptions.NormalizationRule) throws -> SentencePieceModelProto.NormalizerSpec {
        var spec = SentencePieceModelProto.NormalizerSpec()
        spec.name = rule.rawValue
        let builtIn: dsp_charsmap_rule
        switch rule {
        case .nmtNFKC: builtIn = DSP_CHARSMAP_NMT_NFKC
        case .nfkc: builtIn = DSP_CHARSMAP_NFKC
        case .identity: return spec
        }
        var size = 0
        guard let bytes = dsp_charsmap(builtIn, &size), size > 0 else {
            throw InputError("internal error: this dsprep was built without the \(rule.rawValue) charsmap")
        }
        spec.precompiledCharsmap = Array(UnsafeBufferPointer(start: bytes, count: size))
        return spec
    }

    /// Reads `count` texts; `utf8(i)` gives text `i` as UTF-8.
    public mutating func add(_ count: Int, utf8: (Int) -> UnsafeRawBufferPointer) throws {
        try reader.add(count, utf8: utf8)
    }

    /// Adds the counts of texts read apart (by a trainer with the same options), as if they were read here next.
    public mutating func add(_ next: CountedTexts) {
        reader.add(next)
    }

    /// Reads `texts` (for callers that hold strings).
    public mutating func add(_ texts: [String]) throws {
        try PackedTexts.withUTF8(texts) { count, utf8 in try add(count, utf8: utf8) }
    }

    /// Runs the training. `progress(done, total)` is called after each EM step.
    public func train(progress: (Int, Int) -> Void = { _, _ in }) throws -> SentencePieceModelProto {
        guard reader.counted.words.count > 0 else {
            throw InputError("no text to train on", hint: "check the input files and the text column")
        }
        let required = RequiredCharacters(words: reader.counted.words, characterCoverage: options.characterCoverage)
        guard required.characters.count + metaPieces.count <= options.vocabularySize else {
            throw InputError("the vocabulary size \(options.vocabularySize) is smaller than the \(required.characters.count) required characters and \(metaPieces.count) special pieces",
                             hint: "raise --vocab-size or lower --character-coverage")
        }
        let words = required.words
        let validity = PieceValidity(words: words, options: options)
        let substrings = try SubstringCounts(words: words, validity: validity, threads: threads)
        let seeds = SeedPieces(substrings: substrings, required: required, seedPieceCount: options.seedPieceCount)
        var lattices = try WordLattices(words: words, validity: validity, substrings: substrings, seeds: seeds,
                                        threads: threads)
        // Piece texts as arena spans; kept in step with the lattices' ids.
        var offsets = seeds.offsets
        var lengths = seeds.lengths
        var scores = seeds.scores
        func keep(_ newID: [Int32], scores newScores: [Float]? = nil) {
            let count = newID.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
            // The M step keeps the order: when it drops nothing, only the scores change.
            if let newScores, count == newID.count {
                scores = newScores
                return
            }
            var keptOffsets = [Int32](repeating: 0, count: count)
            var keptLengths = [UInt8](repeating: 0, count: count)
            var keptScores = [Float](repeating: 0, count: count)
            for (old, new) in newID.enumerated() where new >= 0 {
                keptOffsets[Int(new)] = offsets[old]
                keptLengths[Int(new)] = lengths[old]
                keptScores[Int(new)] = scores[old]
            }
            offsets = keptOffsets
            lengths = keptLengths
            scores = newScores ?? keptScores
            lattices.keep(newID)
        }
        // Dropping a piece below can leave characters without a piece: run `keep` once first
        // so the lattices hold the unknown nodes they need from the start.
        keep(Array(0..<Int32(scores.count)))

        let desiredSize = Int(Double(options.vocabularySize) * 1.1)
        let seedCount = scores.count
        let totalWork = max(1, seedCount - desiredSize)
        while true {
            for _ in 0..<options.subIterations {
                let expected = try lattices.expectedCounts(scores: scores, unknownScore: Self.unknownScore(scores))
                let (newID, newScores) = UnigramMaximization.step(expected: expected)
                keep(newID, scores: newScores)
                progress(min(totalWork, seedCount - scores.count), totalWork)
            }
            if scores.count <= desiredSize { break }
            let newID = try UnigramPruner.prune(lattices, scores: scores, unknownScore: Self.unknownScore(scores),
                                                desiredSize: desiredSize, shrinkingFactor: options.shrinkingFactor)
            keep(newID)
            progress(min(totalWork, seedCount - scores.count), totalWork)
        }
        progress(totalWork, totalWork)

        let pieces = words.scalars.withUnsafeBufferPointer { arena in
            (0..<scores.count).map { Array(arena[Int(offsets[$0])..<(Int(offsets[$0]) + Int(lengths[$0]))]) }
        }
        return try finalModel(pieces: pieces, scores: scores, required: required)
    }

    static func unknownScore(_ scores: [Float]) -> Float { (scores.min() ?? 0) - WordLattices.unknownPenalty }

    /// sentencepiece's `FinalizeSentencePieces` and `Serialize`: every required character (with
    /// its score, or just below the lowest score when EM dropped it), then the best pieces, sorted
    /// by score (ties by bytes), after the special pieces.
    private func finalModel(pieces: [[UInt32]], scores: [Float], required: RequiredCharacters) throws -> SentencePieceModelProto {
        func utf8(_ scalars: [UInt32]) -> [UInt8] {
            var bytes: [UInt8] = []
            for scalar in scalars { if let s = Unicode.Scalar(scalar) { bytes += Array(String(Character(s)).utf8) } }
            return bytes
        }
        var scoreOf: [[UInt32]: Float] = [:]
        for (piece, score) in zip(pieces, scores) { scoreOf[piece] = score }
        var final: [[UInt32]: Float] = [:]
        let minScore = scores.min() ?? 0
        var penalty: Float = 0
        for character in required.characters {
            let piece = [character.scalar]
            if let score = scoreOf[piece] {
                final[piece] = score
            } else {
                final[piece] = minScore + penalty
                penalty += 0.0001
            }
        }
        let normalCount = options.vocabularySize - metaPieces.count
        let byScore = zip(pieces, scores).sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.lexicographicallyPrecedes($1.0) }
        for (piece, score) in byScore where final.count < normalCount && final[piece] == nil {
            final[piece] = score
        }
        guard final.count == normalCount else {
            throw InputError("the vocabulary size \(options.vocabularySize) is too high for this text: it gives at most \(final.count + metaPieces.count) pieces",
                             hint: "lower --vocab-size to \(final.count + metaPieces.count) or less")
        }
        let ordered = final.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }

        var proto = SentencePieceModelProto()
        var normal = ordered.makeIterator()
        var meta = metaPieces.makeIterator()
        var nextMeta = meta.next()
        for id in 0..<options.vocabularySize {
            var piece = SentencePieceModelProto.Piece()
            if let current = nextMeta, current.id == id {
                piece.bytes = current.bytes
                piece.type = current.type
                nextMeta = meta.next()
            } else if let (scalars, score) = normal.next() {
                piece.bytes = utf8(scalars)
                piece.score = score
            }
            proto.pieces.append(piece)
        }
        proto.trainerSpec.modelType = .unigram
        proto.trainerSpec.vocabSize = Int32(options.vocabularySize)
        proto.trainerSpec.splitDigits = options.splitDigits
        proto.trainerSpec.byteFallback = options.byteFallback
        proto.trainerSpec.unkID = Int32(options.unknownID)
        proto.trainerSpec.bosID = Int32(options.beginID)
        proto.trainerSpec.eosID = Int32(options.endID)
        proto.trainerSpec.padID = Int32(options.padID)
        proto.trainerSpec.unkPiece = options.unknownPiece
        proto.trainerSpec.bosPiece = options.beginPiece
        proto.trainerSpec.eosPiece = options.endPiece
        proto.trainerSpec.padPiece = options.padPiece
        proto.normalizerSpec = normalizerSpec
        return proto
    }

    /// The trainer_spec fields the model proto struct does not hold, as this run used them.
    public var trainerSpecFields: [SentencePieceModelProto.TrainerSpecField] {
        typealias Field = SentencePieceModelProto.TrainerSpecField
        return [
            .characterCoverage(Float(options.characterCoverage)), .inputSentenceSize(0),
            .seedSentencepieceSize(Int32(options.seedPieceCount)), .shrinkingFactor(Float(options.shrinkingFactor)),
            .numSubIterations(Int32(options.subIterations)), .maxSentenceLength(Int32(options.maxSentenceLength)),
            .maxSentencepieceLength(Int32(options.maxPieceLength)), .splitByUnicodeScript(options.splitByUnicodeScript),
            .splitByWhitespace(options.splitByWhitespace), .splitByNumber(options.splitByNumber),
            .userDefinedSymbols(options.userDefinedSymbols), .vocabularyOutputPieceScore(true), .hardVocabLimit(true),
            .useAllVocab(false),
        ]
    }

    /// Trains and serializes: the bytes of a sentencepiece `.model`.
    public func trainModelFile(progress: (Int, Int) -> Void = { _, _ in }) throws -> [UInt8] {
        try train(progress: progress).serialized(trainerFields: trainerSpecFields)
    }
}
