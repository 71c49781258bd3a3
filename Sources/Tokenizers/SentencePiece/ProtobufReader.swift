import DSPrepSupport

/// A minimal reader of the protobuf wire format (varints, fixed32/64, length-delimited fields),
/// enough to decode sentencepiece's `ModelProto` without a protobuf dependency.
/// Every read is bounds-checked: a truncated or corrupt file throws, it never traps.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int
    /// Names the file in errors.
    let path: String

    init(_ bytes: UnsafeRawBufferPointer, path: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.path = path
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    private func corrupt(_ what: String) -> InputError {
        InputError("corrupt sentencepiece model: \(what)", at: SourceLocation(path: path, byteOffset: position),
                   hint: "the file is not a sentencepiece ModelProto (or it is truncated)")
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw corrupt("bad varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads the next field key: (field number, wire type).
    mutating func readKey() throws -> (field: Int, wireType: WireType) {
        let key = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw corrupt("unsupported wire type \(key & 7)")
        }
        return (Int(key >> 3), wireType)
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw corrupt("truncated fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return value
    }

    mutating func readFloat() throws -> Float { Float(bitPattern: try readFixed32()) }

    mutating func readBool() throws -> Bool { try readVarint() != 0 }

    mutating func readInt32() throws -> Int32 { Int32(truncatingIfNeeded: try readVarint()) }

    /// Reads a length-delimited field and returns its byte range.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw corrupt("length \(length) runs past the end") }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    mutating func readBytes() throws -> [UInt8] {
        let range = try readLengthDelimited()
        return Array(bytes[range])
    }

    mutating func readString() throws -> String {
        let range = try readLengthDelimited()
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// A reader over an embedded message's bytes.
    mutating func readMessage() throws -> ProtobufReader {
        let range = try readLengthDelimited()
        return ProtobufReader(bytes, path: path, range: range)
    }

    mutating func skip(_ wireType: WireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed32: _ = try readFixed32()
        case .fixed64:
            guard end - position >= 8 else { throw corrupt("truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try readLengthDelimited()
        }
    }
}
