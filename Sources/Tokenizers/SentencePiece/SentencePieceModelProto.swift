import DSPrepSupport

/// The parts of sentencepiece's `ModelProto` (src/sentencepiece_model.proto) that change how text
/// is encoded or decoded. Field numbers and defaults follow the .proto; fields we do not need
/// are skipped.
public struct SentencePieceModelProto: Sendable {
    public enum PieceType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public struct Piece: Sendable {
        /// The piece's UTF-8 bytes, as stored (U+2581 stands for a space).
        public var bytes: [UInt8] = []
        public var score: Float = 0
        public var type: PieceType = .normal
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    public enum ModelType: Int32, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    public struct TrainerSpec: Sendable {
        public var modelType: ModelType = .unigram
        public var vocabSize: Int32 = 8000
        public var treatWhitespaceAsSuffix = false
        public var allowWhitespaceOnlyPieces = false
        /// Training-time only: splits numbers into single digits before pieces are learned.
        /// The learned vocabulary carries its effect; encoding is plain Viterbi.
        public var splitDigits = false
        public var byteFallback = false
        public var unkID: Int32 = 0
        public var bosID: Int32 = 1
        public var eosID: Int32 = 2
        public var padID: Int32 = -1
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
        /// What `decode` prints for an unknown piece.
        public var unkSurface = " \u{2047} "
    }

    public struct NormalizerSpec: Sendable {
        /// The rule set the charsmap was compiled from (`nmt_nfkc`, `nfkc`, `nmt_nfkc_cf`, `identity`, ...).
        public var name = ""
        /// The compiled rules: the model's own map is the reference, whatever `name` says.
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
    }

    public struct SelfTestSample: Sendable {
        public var input = ""
        public var expected = ""
    }

    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()
    /// Present when decoding should map text back (rarely used).
    public var denormalizerSpec: NormalizerSpec?
    public var selfTestSamples: [SelfTestSample] = []

    public init() {}

    /// Decodes a serialized `ModelProto`; `path` names the file in errors.
    public init(serialized bytes: UnsafeRawBufferPointer, path: String) throws {
        var reader = ProtobufReader(bytes, path: path)
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch (field, wireType) {
            case (1, .lengthDelimited):
                var message = try reader.readMessage()
                pieces.append(try Self.readPiece(&message))
            case (2, .lengthDelimited):
                var message = try reader.readMessage()
                trainerSpec = try Self.readTrainerSpec(&message)
            case (3, .lengthDelimited):
                var message = try reader.readMessage()
                normalizerSpec = try Self.readNormalizerSpec(&message)
            case (4, .lengthDelimited):
                var message = try reader.readMessage()
                selfTestSamples = try Self.readSelfTestData(&message)
            case (5, .lengthDelimited):
                var message = try reader.readMessage()
                denormalizerSpec = try Self.readNormalizerSpec(&message)
            default:
                try reader.skip(wireType)
            }
        }
    }

    private static func readPiece(_ reader: inout ProtobufReader) throws -> Piece {
        var piece = Piece()
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch (field, wireType) {
            case (1, .lengthDelimited): piece.bytes = try reader.readBytes()
            case (2, .fixed32): piece.score = try reader.readFloat()
            case (3, .varint):
                let raw = try reader.readInt32()
                guard let type = PieceType(rawValue: raw) else {
                    throw InputError("corrupt sentencepiece model: piece type \(raw) is not one of 1...6",
                                     at: SourceLocation(path: reader.path, byteOffset: reader.position))
                }
                piece.type = type
            default: try reader.skip(wireType)
            }
        }
        return piece
    }

    private static func readTrainerSpec(_ reader: inout ProtobufReader) throws -> TrainerSpec {
        var spec = TrainerSpec()
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch (field, wireType) {
            case (3, .varint):
                let raw = try reader.readInt32()
                guard let type = ModelType(rawValue: raw) else {
                    throw InputError("corrupt sentencepiece model: model_type \(raw) is not one of 1...4",
                                     at: SourceLocation(path: reader.path, byteOffset: reader.position))
                }
                spec.modelType = type
            case (4, .varint): spec.vocabSize = try reader.readInt32()
            case (24, .varint): spec.treatWhitespaceAsSuffix = try reader.readBool()
            case (25, .varint): spec.splitDigits = try reader.readBool()
            case (26, .varint): spec.allowWhitespaceOnlyPieces = try reader.readBool()
            case (35, .varint): spec.byteFallback = try reader.readBool()
            case (40, .varint): spec.unkID = try reader.readInt32()
            case (41, .varint): spec.bosID = try reader.readInt32()
            case (42, .varint): spec.eosID = try reader.readInt32()
            case (43, .varint): spec.padID = try reader.readInt32()
            case (44, .lengthDelimited): spec.unkSurface = try reader.readString()
            case (45, .lengthDelimited): spec.unkPiece = try reader.readString()
            case (46, .lengthDelimited): spec.bosPiece = try reader.readString()
            case (47, .lengthDelimited): spec.eosPiece = try reader.readString()
            case (48, .lengthDelimited): spec.padPiece = try reader.readString()
            default: try reader.skip(wireType)
            }
        }
        return spec
    }

    private static func readNormalizerSpec(_ reader: inout ProtobufReader) throws -> NormalizerSpec {
        var spec = NormalizerSpec()
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            switch (field, wireType) {
            case (1, .lengthDelimited): spec.name = try reader.readString()
            case (2, .lengthDelimited): spec.precompiledCharsmap = try reader.readBytes()
            case (3, .varint): spec.addDummyPrefix = try reader.readBool()
            case (4, .varint): spec.removeExtraWhitespaces = try reader.readBool()
            case (5, .varint): spec.escapeWhitespaces = try reader.readBool()
            default: try reader.skip(wireType)
            }
        }
        return spec
    }

    private static func readSelfTestData(_ reader: inout ProtobufReader) throws -> [SelfTestSample] {
        var samples: [SelfTestSample] = []
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readKey()
            guard field == 1, wireType == .lengthDelimited else {
                try reader.skip(wireType)
                continue
            }
            var message = try reader.readMessage()
            var sample = SelfTestSample()
            while !message.isAtEnd {
                let (sampleField, sampleWireType) = try message.readKey()
                switch (sampleField, sampleWireType) {
                case (1, .lengthDelimited): sample.input = try message.readString()
                case (2, .lengthDelimited): sample.expected = try message.readString()
                default: try message.skip(sampleWireType)
                }
            }
            samples.append(sample)
        }
        return samples
    }
}
