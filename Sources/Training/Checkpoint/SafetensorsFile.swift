import DSPrepSupport
import Foundation

/// A `.safetensors` file opened for reading: an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to {"dtype", "shape", "data_offsets"}, then the raw
/// little-endian data. The file is memory-mapped; the header is validated once, on open.
public final class SafetensorsFile: TensorSource {
    struct Entry {
        var dtype: String
        var shape: [Int]
        var range: Range<Int>  // byte range within the file
    }

    /// Bytes per element of the dtypes a model folder may hold.
    static let elementSizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2,
                                              "I8": 1, "U8": 1, "BOOL": 1]
    static let floatingPoint: Set<String> = ["F32", "F16", "BF16", "F64"]

    public let path: String
    public let metadata: [String: String]
    private let file: MappedFile
    private let entries: [String: Entry]

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let location = SourceLocation(path: path)
        let bytes = file.bytes
        try check(bytes.count >= 8, "file is shorter than the 8-byte safetensors header length", at: location)
        let length = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        try check(length <= UInt64(bytes.count - 8), "header length \(length) runs past the end of the file (\(bytes.count) bytes)", at: location)
        let headerEnd = 8 + Int(length)
        guard let header = (try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))) as? [String: Any] else {
            throw InputError("the safetensors header is not a JSON object", at: location)
        }
        metadata = header["__metadata__"] as? [String: String] ?? [:]
        let dataSize = bytes.count - headerEnd
        var entries: [String: Entry] = [:]
        for (name, value) in header where name != "__metadata__" {
            let tensorLocation = SourceLocation(path: path + " [\(name)]")
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2 else {
                throw InputError("expected {\"dtype\", \"shape\", \"data_offsets\"}", at: tensorLocation)
            }
            guard let size = Self.elementSizes[dtype] else {
                throw InputError("dtype \(dtype) is not supported", at: tensorLocation)
            }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize,
                  count < Int.max / size, offsets[1] - offsets[0] == count * size else {
                throw InputError("data_offsets \(offsets) disagree with shape \(shape) (\(dtype)) or run past the end of the file",
                                 at: tensorLocation)
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        self.entries = entries
    }

    public var tensorNames: [String] { entries.keys.sorted() }

    public func shape(of name: String) -> [Int]? { entries[name]?.shape }

    public func isFloatingPoint(_ name: String) -> Bool { entries[name].map { Self.floatingPoint.contains($0.dtype) } ?? false }

    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let location = SourceLocation(path: path + " [\(name)]")
        guard let entry = entries[name] else { throw InputError("tensor \(name) is missing", at: SourceLocation(path: path)) }
        let count = entry.shape.reduce(1, *)
        try check(destination.count == count, "has \(count) values, expected \(destination.count)", at: location)
        let source = UnsafeRawBufferPointer(rebasing: file.bytes[entry.range])
        switch entry.dtype {
        case "F32":
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        case "F16":
            for i in 0..<count { destination[i] = Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
        case "BF16":
            // bfloat16 is the high half of a float32.
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16) }
        case "F64":
            for i in 0..<count { destination[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
        default:
            throw InputError("dtype \(entry.dtype) is not a floating-point tensor", at: location)
        }
    }
}
