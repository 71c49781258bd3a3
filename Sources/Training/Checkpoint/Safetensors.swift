import DSPrepSupport
import Foundation

/// `.safetensors` files of F32 tensors (the format HF loads: an 8-byte little-endian header
/// length, a JSON header mapping each tensor name to {"dtype", "shape", "data_offsets"}, then
/// the raw little-endian data). A `ParameterStore` is already one contiguous buffer in spec
/// order, so its data section is that buffer as is; AdamW moments are written the same way.
public enum Safetensors {
    /// A tensor to write: name, shape and where its shape.product floats are.
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        public var values: UnsafeMutablePointer<Float>

        public init(name: String, shape: [Int], values: UnsafeMutablePointer<Float>) {
            self.name = name
            self.shape = shape
            self.values = values
        }

        var count: Int { shape.reduce(1, *) }
    }

    /// Every parameter of a store, named as its spec.
    public static func tensors(of store: ParameterStore) -> [Tensor] {
        store.specs.indices.map { Tensor(name: store.specs[$0].name, shape: store.specs[$0].shape, values: store.value($0)) }
    }

    /// Writes the tensors in the order given, atomically, streaming each tensor's values from
    /// where they are (a model's weights and optimizer state are never copied whole).
    public static func write(_ tensors: [Tensor], to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        var members: [(String, JSONValue)] = [("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))]
        var offset = 0
        for tensor in tensors {
            let end = offset + tensor.count * 4
            members.append((tensor.name, .object([
                ("dtype", .string("F32")), ("shape", .array(tensor.shape.map { .number(Double($0)) })),
                ("data_offsets", .array([.number(Double(offset)), .number(Double(end))])),
            ])))
            offset = end
        }
        var json = Data(JSONValue.object(members.sorted { $0.0 < $1.0 }).serialized(.pythonDumps(indent: nil)).utf8)
        // Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        try AtomicOutput.writeFile(to: path) { handle in
            var start = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { start.append(contentsOf: $0) }
            start.append(json)
            try handle.write(contentsOf: start)
            for tensor in tensors {
                try tensor.values.withMemoryRebound(to: UInt32.self, capacity: tensor.count) { words in
                    if UInt32(1).littleEndian == 1 {
                        try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(words), count: tensor.count * 4,
                                                          deallocator: .none))
                    } else {
                        var swapped = Data(capacity: tensor.count * 4)
                        for i in 0..<tensor.count { withUnsafeBytes(of: words[i].littleEndian) { swapped.append(contentsOf: $0) } }
                        try handle.write(contentsOf: swapped)
                    }
                }
            }
        }
    }

    public static func write(_ store: ParameterStore, to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        try write(tensors(of: store), to: path, metadata: metadata)
    }

    /// Fills each tensor from the file: each must be present with its shape. Returns the file's
    /// metadata and the names of tensors in it that were not asked for (callers report them).
    @discardableResult
    public static func load(_ path: String, into tensors: [Tensor]) throws -> (metadata: [String: String], unused: [String]) {
        let file = try SafetensorsFile(path: path)
        for tensor in tensors {
            let tensorLocation = SourceLocation(path: path + " [\(tensor.name)]")
            guard let shape = file.shape(of: tensor.name) else {
                throw InputError("tensor \(tensor.name) is missing", at: SourceLocation(path: path),
                                 hint: "the checkpoint was written for a different model configuration")
            }
            try check(shape == tensor.shape, "shape is \(shape), expected \(tensor.shape)", at: tensorLocation)
            try file.read(tensor.name, into: UnsafeMutableBufferPointer(start: tensor.values, count: tensor.count))
        }
        let wanted = Set(tensors.map(\.name))
        return (file.metadata, file.tensorNames.filter { !wanted.contains($0) })
    }

    /// Fills every parameter of `store`; returns the file's tensors the store does not have.
    @discardableResult
    public static func load(_ path: String, into store: ParameterStore) throws -> [String] {
        try load(path, into: tensors(of: store)).unused
    }
}
