import DSPrepSupport

/// A Unigram language model over subword pieces: every piece has a log-probability score and
/// a text is segmented into the pieces whose scores sum highest (Viterbi). Backs sentencepiece
/// `.model` files and can back HF tokenizer.json `Unigram` models.
///
/// Matches sentencepiece 0.2.3 (src/unigram_model.cc of its release, `Model`):
/// - the trie holds normal, user-defined and unused pieces; unused ones are never emitted;
/// - a user-defined piece scores `0.1 * (length - 1)` (length in bytes for Viterbi, in
///   characters in the lattice), which beats any normal piece (scores are log-probabilities);
/// - a character no piece covers alone becomes `unkID` with score `minScore - 10`, `minScore`
///   running over normal pieces.
public struct UnigramModel: Sendable {
    public typealias PieceType = SentencePieceModelProto.PieceType

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
    struct BestPathNode {
        var id: Int32 = -1
        var score: Float = 0
        var startsAt: Int32 = -1
    }

    /// What Viterbi needs per piece id in one load: its score and whether it is user-defined.
    struct Scoring {
        var score: Float
        var isUserDefined: Bool
    }

    public let pieces: [Piece]
    public let unkID: Int32
    public let minScore: Float
    /// Normal and user-defined pieces: what segmentation may use.
    let encodingTrie: DoubleArrayTrie
    /// Every piece, for id lookups (sentencepiece looks at control/unknown/byte pieces first).
    let normalPieceTrie: DoubleArrayTrie
    let reservedPieceTrie: DoubleArrayTrie
    let scoring: [Scoring]
    /// Penalty score of an unknown character.
    public var unknownScore: Float { minScore - 10 }

    /// Score of a user-defined piece of `length` bytes or characters (sentencepiece's
    /// `GetUserDefinedScore`: longer matches win, and any match beats normal pieces).
    @inline(__always)
    static func userDefinedScore(length: Int) -> Float { Float(0.1 * Double(length - 1)) }

    /// `path` names the file in errors. Pieces must be non-empty, free of NUL bytes, with finite
    /// scores, and distinct per kind (normal/user-defined/unused vs. control/unknown/byte), with
    /// one unknown piece (which a byte-fallback model may lack).
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
            guard !piece.bytes.isEmpty, !piece.bytes.contains(0), piece.bytes.count < 8000 else {
                throw InputError("piece \(index) is empty, has a NUL byte or is 8000 bytes or longer", at: location)
            }
            guard piece.score.isFinite else {
                throw InputError("piece \(index) has score \(piece.score); scores must be finite", at: location)
            }
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
        for keys in [normalKeys, reservedKeys] {
            let sorted = keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.bytes == b.bytes {
                throw InputError("piece \(String(decoding: a.bytes, as: UTF8.self)) is defined twice (ids \(a.value) and \(b.value))",
                                 at: location)
            }
        }
        self.pieces = pieces
        self.unkID = unkID
        self.minScore = minScore
        encodingTrie = DoubleArrayTrie(keys: encodingKeys)
        normalPieceTrie = DoubleArrayTrie(keys: normalKeys)
        reservedPieceTrie = DoubleArrayTrie(keys: reservedKeys)
        scoring = pieces.map { Scoring(score: $0.score, isUserDefined: $0.type == .userDefined) }
    }

    /// sentencepiece's PieceToId: reserved pieces first, then the others; unknown text maps to nil.
    public func id(of pieceBytes: [UInt8]) -> Int32? {
        reservedPieceTrie.value(of: pieceBytes) ?? normalPieceTrie.value(of: pieceBytes)
    }

    /// Segments normalized UTF-8 text by Viterbi, the way sentencepiece's `EncodeOptimized`
    /// does (ideas from its comments: keep only the best path ending at each byte position,
    /// walk the trie once per character start, work on UTF-8 positions). O(n·k) for n bytes
    /// and k pieces matching at a position.
    ///
    /// Path scores are Float sums compared in Float; ties keep the first candidate (the piece
    /// starting earliest). When the running score leaves ±100000, sentencepiece shifts the
    /// scores in play back to 0 to keep float precision; that is reproduced too, since it
    /// changes how later ties round.
    func segment(_ text: UnsafeBufferPointer<UInt8>, bestPath: ScratchBuffer<BestPathNode>,
                 into segments: ScratchBuffer<Segment>) {
        segments.count = 0
        let size = text.count
        guard size > 0, let bytes = text.baseAddress else { return }
        bestPath.count = 0
        bestPath.reserve(size + 1)
        let best = bestPath.base
        best.initialize(repeating: BestPathNode(), count: size + 1)
        let unknownScore = self.unknownScore
        let unkID = self.unkID
        let resetThreshold: Float = 100_000

        encodingTrie.units.withUnsafeBufferPointer { units in
            scoring.withUnsafeBufferPointer { scoring in
                // The furthest position any path reaches so far.
                var frontier = 0
                var startsAt = 0
                while startsAt < size {
                    var scoreTillHere = best[startsAt].score
                    if scoreTillHere < -resetThreshold || scoreTillHere > resetThreshold {
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
                        let score = piece.isUserDefined ? Self.userDefinedScore(length: length) : piece.score
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
                        }
                    }
                    startsAt += characterLength
                }
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
    }
}
