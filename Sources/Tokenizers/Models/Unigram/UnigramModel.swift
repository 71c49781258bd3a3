import DSPrepSupport

/// A Unigram language model over subword pieces: every piece has a log-probability score and
/// a text is segmented into the pieces whose scores sum highest (Viterbi). Backs sentencepiece
/// `.model` files and HF tokenizer.json `Unigram` models; the two libraries differ in details,
/// so the model follows one `Convention`.
///
/// `.sentencePiece` matches sentencepiece 0.2.3 (src/unigram_model.cc of its release, `Model`):
/// - the trie holds normal, user-defined and unused pieces; unused ones are never emitted;
/// - a user-defined piece scores `0.1 * (length - 1)` (length in bytes for Viterbi, in
///   characters in the lattice), which beats any normal piece (scores are log-probabilities);
/// - a character no piece covers alone becomes `unkID` with score `minScore - 10`, `minScore`
///   running over normal pieces; path scores are Float sums.
///
/// `.huggingFace` matches HF tokenizers' `Unigram` (models/unigram/model.rs, 0.23): every
/// vocabulary entry is in the trie with its score (there are no piece types), `minScore` runs
/// over all of them, and path scores are Double sums.
public struct UnigramModel: Sendable {
    public typealias PieceType = SentencePieceModelProto.PieceType

    public enum Convention: Sendable { case sentencePiece, huggingFace }

    public struct Piece: Sendable {
        public var bytes: [UInt8]
        public var score: Float
        public var type: PieceType
        public init(bytes: [UInt8], score: Float, type: PieceType) {
            self.bytes = bytes
            self.score = score
            self.type = type
        }
    }

    /// One piece of a segmentation: bytes `[start, end)` of the normalized text.
    public struct Segment: Sendable, Equatable {
        public var start: Int32
        public var end: Int32
        public var id: Int32
    }

    /// The best path ending at a byte position (sentencepiece's `BestPathNode`).
    struct BestPathNode<Score: BinaryFloatingPoint> {
        var id: Int32 = -1
        var score: Score = 0
        var startsAt: Int32 = -1
    }

    /// What Viterbi needs per piece id in one load: its score and whether it is user-defined.
    struct Scoring<Score: BinaryFloatingPoint & Sendable>: Sendable {
        var score: Score
        var isUserDefined: Bool
    }

    public let pieces: [Piece]
    public let convention: Convention
    /// -1 when the vocabulary has no unknown piece (byte-fallback models, HF `unk_id: null`).
    public let unkID: Int32
    public let minScore: Float
    /// Unknown text becomes its UTF-8 bytes as `<0xNN>` pieces.
    public let byteFallback: Bool
    /// Pieces segmentation may use.
    let encodingTrie: DoubleArrayTrie
    /// Every piece, for id lookups (sentencepiece looks at control/unknown/byte pieces first).
    let normalPieceTrie: DoubleArrayTrie
    let reservedPieceTrie: DoubleArrayTrie
    /// Per piece id, for `.sentencePiece` (Float sums) or `.huggingFace` (Double sums); the
    /// other one is empty.
    let floatScoring: [Scoring<Float>]
    let doubleScoring: [Scoring<Double>]
    /// HF keeps the scores as f64; a tokenizer.json may hold values no Float represents.
    let doubleMinScore: Double
    /// Penalty score of an unknown character.
    public var unknownScore: Float { minScore - 10 }

    /// Score of a user-defined piece of `length` bytes or characters (sentencepiece's
    /// `GetUserDefinedScore`: longer matches win, and any match beats normal pieces).
    @inline(__always)
    static func userDefinedScore(length: Int) -> Float { Float(0.1 * Double(length - 1)) }

    /// A sentencepiece model's pieces. `path` names the file in errors. Pieces must be
    /// non-empty, free of NUL bytes, with finite scores, and distinct per kind
    /// (normal/user-defined/unused vs. control/unknown/byte), with one unknown piece (which a
    /// byte-fallback model may lack).
    public init(pieces: [Piece], byteFallback: Bool, path: String) throws {
        let location = SourceLocation(path: path)
        var unkID: Int32 = -1
        var encodingKeys: [(bytes: [UInt8], value: Int32)] = []
        var normalKeys: [(bytes: [UInt8], value: Int32)] = []
        var reservedKeys: [(bytes: [UInt8], value: Int32)] = []
        var minScore = Float.greatestFiniteMagnitude
        for (index, piece) in pieces.enumerated() {
            let id = Int32(index)
            // A lone NUL piece marked unused (what sentencepiece makes of one in a byte-fallback
            // model) is left out, as sentencepiece does.
            if piece.type == .unused && piece.bytes == [0] { continue }
            try Self.check(piece.bytes, score: Double(piece.score), index: index, at: location)
            switch piece.type {
            case .normal, .userDefined, .unused:
                normalKeys.append((piece.bytes, id))
                if piece.type != .unused { encodingKeys.append((piece.bytes, id)) }
            case .unknown, .control, .byte:
                reservedKeys.append((piece.bytes, id))
            }
            if piece.type == .unknown {
                guard unkID < 0 else {
                    throw InputError("pieces \(unkID) and \(index) are both of type UNKNOWN; expected one", at: location)
                }
                unkID = id
            }
            if piece.type == .normal { minScore = min(minScore, piece.score) }
        }
        guard unkID >= 0 || byteFallback else {
            throw InputError("no piece of type UNKNOWN (<unk>); the model needs one", at: location)
        }
        for keys in [normalKeys, reservedKeys] { try Self.checkDistinct(keys, at: location) }
        self.pieces = pieces
        convention = .sentencePiece
        self.byteFallback = byteFallback
        self.unkID = unkID
        self.minScore = minScore
        doubleMinScore = Double(minScore)
        encodingTrie = DoubleArrayTrie(keys: encodingKeys)
        normalPieceTrie = DoubleArrayTrie(keys: normalKeys)
        reservedPieceTrie = DoubleArrayTrie(keys: reservedKeys)
        floatScoring = pieces.map { Scoring(score: $0.score, isUserDefined: $0.type == .userDefined) }
        doubleScoring = []
    }

    /// A HF tokenizer.json `Unigram` vocabulary: (piece, score) by id, `unkID` or nil. Every
    /// entry is matchable; the unknown entry is typed `.unknown` (and the `<0xNN>` entries
    /// `.byte` with byte fallback) only so decoding and the sentencepiece tools see them.
    public init(huggingFaceVocabulary vocabulary: [(piece: String, score: Double)], unkID: Int?,
                byteFallback: Bool, path: String) throws {
        let location = SourceLocation(path: path)
        if let unkID, !(0..<vocabulary.count).contains(unkID) {
            throw InputError("Unigram unk_id \(unkID) is outside the vocabulary (\(vocabulary.count) entries)", at: location)
        }
        var keys: [(bytes: [UInt8], value: Int32)] = []
        var pieces: [Piece] = []
        var minScore = Double.infinity
        keys.reserveCapacity(vocabulary.count)
        pieces.reserveCapacity(vocabulary.count)
        for (index, entry) in vocabulary.enumerated() {
            let bytes = Array(entry.piece.utf8)
            try Self.check(bytes, score: entry.score, index: index, at: location)
            keys.append((bytes, Int32(index)))
            let type: PieceType = index == unkID ? .unknown
                : (byteFallback && SentencePieceTokenizer.byteValue(ofPiece: bytes) != nil ? .byte : .normal)
            pieces.append(Piece(bytes: bytes, score: Float(entry.score), type: type))
            minScore = min(minScore, entry.score)
        }
        guard !vocabulary.isEmpty else { throw InputError("the Unigram vocabulary is empty", at: location) }
        try Self.checkDistinct(keys, at: location)
        self.pieces = pieces
        convention = .huggingFace
        self.byteFallback = byteFallback
        self.unkID = unkID.map { Int32($0) } ?? -1
        self.minScore = Float(minScore)
        doubleMinScore = minScore
        let trie = DoubleArrayTrie(keys: keys)
        encodingTrie = trie
        normalPieceTrie = trie
        reservedPieceTrie = DoubleArrayTrie(keys: [])
        floatScoring = []
        doubleScoring = vocabulary.map { Scoring(score: $0.score, isUserDefined: false) }
    }

    private static func check(_ bytes: [UInt8], score: Double, index: Int, at location: SourceLocation) throws {
        guard !bytes.isEmpty, !bytes.contains(0), bytes.count < 8000 else {
            throw InputError("piece \(index) is empty, has a NUL byte or is 8000 bytes or longer", at: location)
        }
        guard score.isFinite else {
            throw InputError("piece \(index) has score \(score); scores must be finite", at: location)
        }
    }

    private static func checkDistinct(_ keys: [(bytes: [UInt8], value: Int32)], at location: SourceLocation) throws {
        let sorted = keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.bytes == b.bytes {
            throw InputError("piece \(String(decoding: a.bytes, as: UTF8.self)) is defined twice (ids \(a.value) and \(b.value))",
                             at: location)
        }
    }

    /// sentencepiece's PieceToId: reserved pieces first, then the others; unknown text maps to nil.
    public func id(of pieceBytes: [UInt8]) -> Int32? {
        reservedPieceTrie.value(of: pieceBytes) ?? normalPieceTrie.value(of: pieceBytes)
    }

    /// Segments normalized UTF-8 text by Viterbi with sentencepiece's rules (Float scores).
    func segment(_ text: UnsafeBufferPointer<UInt8>, bestPath: ScratchBuffer<BestPathNode<Float>>,
                 into segments: ScratchBuffer<Segment>) {
        _ = floatScoring.withUnsafeBufferPointer {
            segment(text, scoring: $0, unknownScore: unknownScore, resetsLargeScores: true,
                    bestPath: bestPath, into: segments)
        }
    }

    /// Segments one pre-tokenized word by Viterbi with HF's rules (Double scores). Returns the
    /// byte offset of the first character given an unknown node while the model has no unknown
    /// id (where HF stops with `MissingUnkId`), else nil.
    func segment(_ text: UnsafeBufferPointer<UInt8>, bestPath: ScratchBuffer<BestPathNode<Double>>,
                 into segments: ScratchBuffer<Segment>) -> Int? {
        doubleScoring.withUnsafeBufferPointer {
            segment(text, scoring: $0, unknownScore: doubleMinScore - 10, resetsLargeScores: false,
                    bestPath: bestPath, into: segments)
        }
    }

    /// Viterbi the way sentencepiece's `EncodeOptimized` does it (HF's `encode_optimized` ports
    /// the same code): keep only the best path ending at each byte position, walk the trie once
    /// per character start, work on UTF-8 positions. O(n·k) for n bytes and k pieces matching
    /// at a position.
    ///
    /// Path scores are `Score` sums compared in `Score`; ties keep the first candidate (the piece
    /// starting earliest). When the running score leaves ±100000, sentencepiece shifts the
    /// scores in play back to 0 to keep float precision (`resetsLargeScores`); that is
    /// reproduced too, since it changes how later ties round. HF does not do it.
    @inline(__always) @discardableResult
    private func segment<Score: BinaryFloatingPoint>(
        _ text: UnsafeBufferPointer<UInt8>, scoring: UnsafeBufferPointer<Scoring<Score>>, unknownScore: Score,
        resetsLargeScores: Bool, bestPath: ScratchBuffer<BestPathNode<Score>>, into segments: ScratchBuffer<Segment>
    ) -> Int? {
        segments.count = 0
        let size = text.count
        guard size > 0, let bytes = text.baseAddress else { return nil }
        var missingUnknown: Int? = nil
        bestPath.count = 0
        bestPath.reserve(size + 1)
        let best = bestPath.base
        best.initialize(repeating: BestPathNode(), count: size + 1)
        let unkID = self.unkID
        let resetThreshold: Score = 100_000

        encodingTrie.units.withUnsafeBufferPointer { units in
            // The furthest position any path reaches so far.
            var frontier = 0
            var startsAt = 0
            while startsAt < size {
                var scoreTillHere = best[startsAt].score
                if resetsLargeScores && (scoreTillHere < -resetThreshold || scoreTillHere > resetThreshold) {
                    let offset = scoreTillHere
                    if frontier >= startsAt {
                        for i in startsAt...frontier where i == startsAt || best[i].startsAt != -1 {
                            best[i].score -= offset
                        }
                    }
                    scoreTillHere = 0
                }
                let characterLength = min(SentencePieceNormalizer.sequenceLength(bytes[startsAt]), size - startsAt)
                var hasSingleCharacterPiece = false
                var state = 0
                var keyPosition = startsAt
                while keyPosition < size {
                    guard let next = DoubleArrayTrie.child(units, of: state, on: bytes[keyPosition]) else { break }
                    state = next
                    keyPosition += 1
                    let id = units[next].value
                    guard id >= 0 else { continue }
                    frontier = max(frontier, keyPosition)
                    let length = keyPosition - startsAt
                    let piece = scoring[Int(id)]
                    let score = piece.isUserDefined ? Score(Self.userDefinedScore(length: length)) : piece.score
                    let candidate = score + scoreTillHere
                    let target = best + keyPosition
                    if target.pointee.startsAt == -1 || candidate > target.pointee.score {
                        target.pointee = BestPathNode(id: id, score: candidate, startsAt: Int32(startsAt))
                    }
                    if length == characterLength { hasSingleCharacterPiece = true }
                }
                if !hasSingleCharacterPiece {
                    frontier = max(frontier, startsAt + characterLength)
                    let target = best + startsAt + characterLength
                    let candidate = unknownScore + scoreTillHere
                    if target.pointee.startsAt == -1 || candidate > target.pointee.score {
                        target.pointee = BestPathNode(id: unkID, score: candidate, startsAt: Int32(startsAt))
                        if unkID < 0 && missingUnknown == nil { missingUnknown = startsAt }
                    }
                }
                startsAt += characterLength
            }
        }

        // Backtrack from the end, then put the pieces in text order.
        var end = size
        while end > 0 {
            let node = best[end]
            segments.append(Segment(start: node.startsAt, end: Int32(end), id: node.id))
            end = Int(node.startsAt)
        }
        var low = segments.base
        var high = segments.base + segments.count - 1
        while low < high {
            swap(&low.pointee, &high.pointee)
            low += 1
            high -= 1
        }
        return missingUnknown
    }
}
