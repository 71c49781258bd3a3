/// A minimal encoder of the protobuf wire format, the counterpart of `ProtobufReader`: enough to
/// write sentencepiece's `ModelProto` without a protobuf dependency. Fields are appended in the
/// order the caller writes them (protobuf's own encoders write them by field number; callers
/// here do the same, so the bytes match what libprotobuf would produce).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func writeKey(_ field: Int, _ wireType: ProtobufReader.WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// An int32 field; negative values take ten bytes (sign-extended to 64 bits), as protobuf does.
    mutating func writeInt32(_ field: Int, _ value: Int32) {
        writeKey(field, .varint)
        writeVarint(UInt64(bitPattern: Int64(value)))
    }

    mutating func writeUInt64(_ field: Int, _ value: UInt64) {
        writeKey(field, .varint)
        writeVarint(value)
    }

    mutating func writeBool(_ field: Int, _ value: Bool) {
        writeKey(field, .varint)
        writeVarint(value ? 1 : 0)
    }

    mutating func writeFloat(_ field: Int, _ value: Float) {
        writeKey(field, .fixed32)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }

    mutating func writeBytes<Bytes: Collection>(_ field: Int, _ value: Bytes) where Bytes.Element == UInt8 {
        writeKey(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func writeString(_ field: Int, _ value: String) { writeBytes(field, Array(value.utf8)) }

    /// An embedded message: `body` writes its fields into a fresh writer.
    mutating func writeMessage(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var message = ProtobufWriter()
        body(&message)
        writeBytes(field, message.bytes)
    }
}
