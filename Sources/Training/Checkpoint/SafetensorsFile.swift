import DSPrepSupport
import Foundation

/// A `.safetensors` file opened for reading: an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to {"dtype", "shape", "data_offsets"}, then the raw
/// little-endian data. The file is memory-mapped; the header is validated once, on open.
public final class SafetensorsFile: TensorSource {
    struct Entry {
        var layout: TensorLayout
        var range: Range<Int>  // byte range within the file
    }

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
        // errors in the header name its line and column (the header is the file's JSON text after 8 bytes)
        let header = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), path: path + " (header)")
        guard let members = header.objectValue else { throw InputError("the safetensors header is not a JSON object", at: location) }
        var metadata: [String: String] = [:]
        for (key, value) in header["__metadata__"]?.objectValue ?? [] { metadata[key] = value.stringValue }
        self.metadata = metadata
        let dataSize = bytes.count - headerEnd
        var entries: [String: Entry] = [:]
        for (name, entry) in members where name != "__metadata__" {
            let tensorLocation = SourceLocation(path: path + " [\(name)]")
            func integers(_ key: String) -> [Int]? {
                guard let list = entry[key]?.arrayValue, case let values = list.compactMap(\.intValue), values.count == list.count else { return nil }
                return values
            }
            guard let dtype = entry["dtype"]?.stringValue, let shape = integers("shape"), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = integers("data_offsets"), offsets.count == 2 else {
                throw InputError("expected {\"dtype\", \"shape\", \"data_offsets\"}", at: tensorLocation)
            }
            guard let type = TensorDType(rawValue: dtype) else {
                throw InputError("dtype \(dtype) is not supported", at: tensorLocation)
            }
            guard let layout = TensorLayout(contiguous: type, shape: shape), offsets[0] >= 0, offsets[0] <= offsets[1],
                  offsets[1] <= dataSize, offsets[1] - offsets[0] == layout.count * type.size else {
                throw InputError("data_offsets \(offsets) disagree with shape \(shape) (\(dtype)) or run past the end of the file",
                                 at: tensorLocation)
            }
            entries[name] = Entry(layout: layout, range: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        self.entries = entries
    }

    public var tensorNames: [String] { entries.keys.sorted() }

    public func shape(of name: String) -> [Int]? { entries[name]?.layout.shape }

    public func isFloatingPoint(_ name: String) -> Bool { entries[name]?.layout.dtype.isFloatingPoint ?? false }

    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let entry = entries[name] else { throw InputError("tensor \(name) is missing", at: SourceLocation(path: path)) }
        try entry.layout.copy(from: UnsafeRawBufferPointer(rebasing: file.bytes[entry.range]), into: destination,
                              at: SourceLocation(path: path + " [\(name)]"))
        // A tensor is read once, into a model: its pages need not stay resident next to the copy.
        file.releasePages(entry.range)
    }
}
