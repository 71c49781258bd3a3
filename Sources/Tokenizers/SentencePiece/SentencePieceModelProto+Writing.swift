/// Serializes a `SentencePieceModelProto` (the reader's fields) into sentencepiece's `ModelProto`
/// wire format, with field numbers from src/sentencepiece_model.proto. Fields are written by
/// field number, as libprotobuf does. Trainer options the struct does not model (character
/// coverage, shrinking factor, ...) come as `TrainerSpecField`s, so a trainer can record every
/// option it used.
extension SentencePieceModelProto {
    /// One extra `TrainerSpec` field: its number and value.
    public struct TrainerSpecField: Sendable {
        public enum Value: Sendable {
            case int32(Int32), uint64(UInt64), bool(Bool), float(Float), string(String), strings([String])
        }

        public var field: Int
        public var value: Value

        public init(_ field: Int, _ value: Value) {
            self.field = field
            self.value = value
        }

        // sentencepiece_model.proto field numbers of the options trainers record.
        public static func characterCoverage(_ value: Float) -> Self { Self(10, .float(value)) }
        public static func inputSentenceSize(_ value: UInt64) -> Self { Self(11, .uint64(value)) }
        public static func seedSentencepieceSize(_ value: Int32) -> Self { Self(14, .int32(value)) }
        public static func shrinkingFactor(_ value: Float) -> Self { Self(15, .float(value)) }
        public static func numSubIterations(_ value: Int32) -> Self { Self(17, .int32(value)) }
        public static func maxSentenceLength(_ value: Int32) -> Self { Self(18, .int32(value)) }
        public static func maxSentencepieceLength(_ value: Int32) -> Self { Self(20, .int32(value)) }
        public static func splitByUnicodeScript(_ value: Bool) -> Self { Self(21, .bool(value)) }
        public static func splitByWhitespace(_ value: Bool) -> Self { Self(22, .bool(value)) }
        public static func splitByNumber(_ value: Bool) -> Self { Self(23, .bool(value)) }
        public static func userDefinedSymbols(_ value: [String]) -> Self { Self(31, .strings(value)) }
        public static func vocabularyOutputPieceScore(_ value: Bool) -> Self { Self(32, .bool(value)) }
        public static func hardVocabLimit(_ value: Bool) -> Self { Self(33, .bool(value)) }
        public static func useAllVocab(_ value: Bool) -> Self { Self(34, .bool(value)) }
    }

    /// The serialized `ModelProto`: pieces, trainer_spec (the struct's fields merged with
    /// `trainerFields`), normalizer_spec, then denormalizer_spec when present. Self-test samples
    /// are not written.
    public func serialized(trainerFields: [TrainerSpecField] = []) -> [UInt8] {
        var writer = ProtobufWriter()
        for piece in pieces {
            writer.writeMessage(1) { message in
                message.writeBytes(1, piece.bytes)
                message.writeFloat(2, piece.score)
                // NORMAL is the default type; sentencepiece leaves it out.
                if piece.type != .normal { message.writeInt32(3, piece.type.rawValue) }
            }
        }
        writer.writeMessage(2) { Self.write(trainerSpec, extra: trainerFields, to: &$0) }
        writer.writeMessage(3) { Self.write(normalizerSpec, to: &$0) }
        if let denormalizerSpec {
            writer.writeMessage(5) { Self.write(denormalizerSpec, to: &$0) }
        }
        return writer.bytes
    }

    private static func write(_ spec: TrainerSpec, extra: [TrainerSpecField], to writer: inout ProtobufWriter) {
        var fields = extra
        fields += [
            TrainerSpecField(3, .int32(spec.modelType.rawValue)),
            TrainerSpecField(4, .int32(spec.vocabSize)),
            TrainerSpecField(24, .bool(spec.treatWhitespaceAsSuffix)),
            TrainerSpecField(25, .bool(spec.splitDigits)),
            TrainerSpecField(26, .bool(spec.allowWhitespaceOnlyPieces)),
            TrainerSpecField(35, .bool(spec.byteFallback)),
            TrainerSpecField(40, .int32(spec.unkID)),
            TrainerSpecField(41, .int32(spec.bosID)),
            TrainerSpecField(42, .int32(spec.eosID)),
            TrainerSpecField(43, .int32(spec.padID)),
            TrainerSpecField(44, .string(spec.unkSurface)),
            TrainerSpecField(45, .string(spec.unkPiece)),
            TrainerSpecField(46, .string(spec.bosPiece)),
            TrainerSpecField(47, .string(spec.eosPiece)),
            TrainerSpecField(48, .string(spec.padPiece)),
        ]
        // Stable sort: repeated fields keep their order.
        for entry in fields.enumerated().sorted(by: { ($0.element.field, $0.offset) < ($1.element.field, $1.offset) }) {
            let field = entry.element.field
            switch entry.element.value {
            case let .int32(value): writer.writeInt32(field, value)
            case let .uint64(value): writer.writeUInt64(field, value)
            case let .bool(value): writer.writeBool(field, value)
            case let .float(value): writer.writeFloat(field, value)
            case let .string(value): writer.writeString(field, value)
            case let .strings(values): for value in values { writer.writeString(field, value) }
            }
        }
    }

    private static func write(_ spec: NormalizerSpec, to writer: inout ProtobufWriter) {
        writer.writeString(1, spec.name)
        writer.writeBytes(2, spec.precompiledCharsmap)
        writer.writeBool(3, spec.addDummyPrefix)
        writer.writeBool(4, spec.removeExtraWhitespaces)
        writer.writeBool(5, spec.escapeWhitespaces)
    }
}
