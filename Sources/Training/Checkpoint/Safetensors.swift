import DSPrepSupport
import Foundation

/// `model.safetensors` for a `ParameterStore` (the format HF loads: an 8-byte little-endian
/// header length, a JSON header mapping each tensor name to {"dtype", "shape", "data_offsets"},
/// then the raw little-endian data). Since the store is already one contiguous buffer in spec
/// order, the data section is that buffer as is.
public enum Safetensors {
    /// Writes all parameters as F32 tensors, atomically.
    public static func write(_ store: ParameterStore, to path: String, metadata: [String: String] = ["format": "pt"]) throws {
        var header: [String: Any] = ["__metadata__": metadata]
        for (spec, offset) in zip(store.specs, store.offsets) {
            header[spec.name] = ["dtype": "F32", "shape": spec.shape,
                                 "data_offsets": [offset * 4, (offset + spec.count) * 4]] as [String: Any]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned (as the reference writer does).
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var file = Data(capacity: 8 + json.count + store.count * 4)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        store.values.pointer.withMemoryRebound(to: UInt32.self, capacity: store.count) { words in
            if UInt32(1).littleEndian == 1 {
                file.append(UnsafeBufferPointer(start: words, count: store.count))
            } else {
                for i in 0..<store.count { withUnsafeBytes(of: words[i].littleEndian) { file.append(contentsOf: $0) } }
            }
        }
        try AtomicOutput.writeFile(file, to: path)
    }

    /// Fills `store` from a file: every parameter must be present as F32 with its shape. Returns
    /// the names of tensors in the file that the store does not have (ignored; callers report them).
    @discardableResult
    public static func load(_ path: String, into store: ParameterStore) throws -> [String] {
        let file = try MappedFile(path: path)
        let location = SourceLocation(path: path)
        let bytes = file.bytes
        try check(bytes.count >= 8, "file is shorter than the 8-byte safetensors header length", at: location)
        var length: UInt64 = 0
        withUnsafeMutableBytes(of: &length) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<8])) }
        length = UInt64(littleEndian: length)
        try check(length <= UInt64(bytes.count - 8), "header length \(length) runs past the end of the file (\(bytes.count) bytes)", at: location)
        let headerEnd = 8 + Int(length)
        let json = Data(bytes[8..<headerEnd])
        guard let header = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw InputError("the safetensors header is not a JSON object", at: location)
        }
        let dataSize = bytes.count - headerEnd
        for (index, spec) in store.specs.enumerated() {
            let tensorLocation = SourceLocation(path: path + " [\(spec.name)]")
            guard let entry = header[spec.name] as? [String: Any] else {
                throw InputError("tensor \(spec.name) is missing", at: location,
                                 hint: "the checkpoint was written for a different model configuration")
            }
            try check(entry["dtype"] as? String == "F32", "dtype is \(entry["dtype"] ?? "absent"), expected F32", at: tensorLocation)
            let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue)
            try check(shape == spec.shape, "shape is \(shape.map { "\($0)" } ?? "absent"), expected \(spec.shape)", at: tensorLocation)
            guard let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2,
                  offsets[0] >= 0, offsets[1] - offsets[0] == spec.count * 4, offsets[1] <= dataSize else {
                throw InputError("data_offsets missing or inconsistent with the shape and the file size", at: tensorLocation)
            }
            let source = UnsafeRawBufferPointer(rebasing: bytes[(headerEnd + offsets[0])..<(headerEnd + offsets[1])])
            let destination = store.value(index)
            for i in 0..<spec.count {
                destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
        return header.keys.filter { $0 != "__metadata__" && store.index(of: $0) == nil }.sorted()
    }
}
