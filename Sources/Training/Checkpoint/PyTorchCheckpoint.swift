import DSPrepSupport
import Foundation

/// A `pytorch_model.bin` (any `torch.save` of a state dict since torch 1.6) read without torch and
/// without running its pickle. The file is a zip archive of stored entries under one folder:
/// `<prefix>/data.pkl`, the pickled dict of name → tensor, and `<prefix>/data/<key>`, each storage's
/// raw little-endian bytes. In the pickle a tensor is
/// `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])`
/// (optionally wrapped in `_rebuild_parameter`), where `storage` is the persistent id
/// `('storage', torch.<Type>Storage, key, location, numel)`. `PickleReader` admits only those globals.
/// Views keep their storage offset and strides, so transposed tensors and tensors sharing a storage
/// read as torch would give them. Storage CRCs are checked on the first read of each storage.
public final class PyTorchCheckpoint: TensorSource {
    struct Tensor {
        var storage: ZipArchive.Entry
        var layout: TensorLayout
    }

    public let path: String
    private let file: MappedFile
    private let archive: ZipArchive
    private let tensors: [String: Tensor]
    private var verifiedStorages = Set<String>()
    private let lock = NSLock()

    /// The globals a state dict pickle may name; everything else is refused.
    static let allowedGlobals: [String: PickleReader.GlobalKind] = {
        var globals: [String: PickleReader.GlobalKind] = [
            "collections.OrderedDict": .dictionary,
            "torch._utils._rebuild_tensor_v2": .record,
            "torch._utils._rebuild_parameter": .record,
        ]
        for name in storageTypes.keys { globals["torch." + name] = .name }
        return globals
    }()

    static let storageTypes: [String: TensorDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let bytes = file.bytes
        // torch < 1.6 wrote a bare pickle stream: PROTO 2, then LONG1 of the magic number
        if bytes.count >= 3, bytes[0] == 0x80, bytes[1] == 0x02, bytes[2] == 0x8A {
            throw InputError("is in the legacy torch serialization format (before torch 1.6), which dsprep does not read",
                             at: SourceLocation(path: path),
                             hint: "re-save it with a recent torch: torch.save(torch.load(path, weights_only=True), path), or convert it to safetensors")
        }
        archive = try ZipArchive(bytes: bytes, path: path)
        let prefix = try Self.prefix(of: archive)
        if let order = archive.entry(prefix + "byteorder") {
            let value = String(decoding: archive.data(of: order), as: UTF8.self)
            try check(value == "little", "storages are \(value)-endian; only little-endian checkpoints are read",
                      at: SourceLocation(path: path + " [\(order.name)]"))
        }
        guard let pickleEntry = archive.entry(prefix + "data.pkl") else {
            throw InputError("has no \(prefix)data.pkl", at: SourceLocation(path: path))
        }
        try archive.verifyChecksum(of: pickleEntry)
        let reader = PickleReader(path: path + " [\(pickleEntry.name)]", globals: Self.allowedGlobals)
        let root = try reader.read(archive.data(of: pickleEntry))
        guard case let .container(dict) = root, dict.kind == .dict else {
            throw InputError("the pickle holds no dict of tensors (not a state dict)", at: SourceLocation(path: path))
        }
        var tensors: [String: Tensor] = [:], storageTypes: [String: TensorDType] = [:]
        for (key, value) in dict.pairs {
            guard let name = key.string else { throw InputError("a state dict key is not a string", at: SourceLocation(path: path)) }
            let location = SourceLocation(path: path + " [\(name)]")
            guard tensors[name] == nil else { throw InputError("tensor appears twice", at: location) }
            let (dtype, key, numel, layout) = try Self.tensor(value, at: location)
            guard let storage = archive.entry(prefix + "data/" + key) else {
                throw InputError("its storage \(prefix)data/\(key) is missing from the archive", at: location)
            }
            try check(storage.data.count / dtype.size == numel && storage.data.count % dtype.size == 0,
                      "storage \(key) holds \(storage.data.count) bytes, the pickle says \(numel) \(dtype.rawValue) elements", at: location)
            if let earlier = storageTypes[key], earlier != dtype {
                throw InputError("storage \(key) is read as \(dtype.rawValue) here and as \(earlier.rawValue) by another tensor", at: location)
            }
            storageTypes[key] = dtype
            tensors[name] = Tensor(storage: storage, layout: layout)
        }
        self.tensors = tensors
    }

    /// The one folder every entry lives under (torch names it after the file it saved to).
    private static func prefix(of archive: ZipArchive) throws -> String {
        let pickles = archive.entries.map(\.name).filter { $0.hasSuffix("/data.pkl") && $0.split(separator: "/").count == 2 }
        guard pickles.count == 1 else {
            throw InputError(pickles.isEmpty ? "is a zip archive without <folder>/data.pkl: not a torch.save file"
                                             : "holds several pickles (\(pickles.joined(separator: ", ")))",
                             at: SourceLocation(path: archive.path))
        }
        return String(pickles[0].dropLast("data.pkl".count))
    }

    /// Reads a `_rebuild_tensor_v2(...)` call (possibly inside `_rebuild_parameter`) into the dtype,
    /// storage key and element count, and the view it describes (checked to fit in the storage).
    private static func tensor(_ value: PickleValue, at location: SourceLocation)
        throws -> (dtype: TensorDType, key: String, numel: Int, layout: TensorLayout) {
        if case let .call("torch._utils._rebuild_parameter", arguments) = value {
            guard arguments.count == 3 else { throw InputError("_rebuild_parameter takes 3 arguments, found \(arguments.count)", at: location) }
            return try tensor(arguments[0], at: location)
        }
        guard case let .call("torch._utils._rebuild_tensor_v2", arguments) = value else {
            throw InputError("is not a tensor (expected torch._utils._rebuild_tensor_v2)", at: location)
        }
        guard arguments.count == 6 || arguments.count == 7, case let .persistent(id) = arguments[0],
              let offset = arguments[1].int, let shape = ints(arguments[2]), let strides = ints(arguments[3]) else {
            throw InputError("expected _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])", at: location)
        }
        guard let fields = id.tuple, fields.count == 5, fields[0].string == "storage",
              case let .global(type) = fields[1], let key = fields[2].string, let numel = fields[4].int else {
            throw InputError("expected the storage id ('storage', torch.<Type>Storage, key, location, numel)", at: location)
        }
        guard let dtype = storageTypes[String(type.dropFirst("torch.".count))] else {
            throw InputError("storage type \(type) is not supported", at: location)
        }
        guard let layout = TensorLayout(dtype: dtype, shape: shape, strides: strides, offset: offset), layout.extent <= numel else {
            throw InputError("size \(shape), stride \(strides) and offset \(offset) do not fit its storage of \(numel) elements", at: location)
        }
        return (dtype, key, numel, layout)
    }

    private static func ints(_ value: PickleValue) -> [Int]? {
        guard let items = value.tuple else { return nil }
        let values = items.compactMap(\.int)
        return values.count == items.count ? values : nil
    }

    public var tensorNames: [String] { tensors.keys.sorted() }

    public func shape(of name: String) -> [Int]? { tensors[name]?.layout.shape }

    public func isFloatingPoint(_ name: String) -> Bool { tensors[name]?.layout.dtype.isFloatingPoint ?? false }

    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let tensor = tensors[name] else { throw InputError("tensor \(name) is missing", at: SourceLocation(path: path)) }
        let storage = tensor.storage
        // Verified once per storage (views share one), so opening stays cheap and reading checks every byte used.
        if !lock.withLock({ verifiedStorages.contains(storage.name) }) {
            try archive.verifyChecksum(of: storage)
            _ = lock.withLock { verifiedStorages.insert(storage.name) }
        }
        try tensor.layout.copy(from: archive.data(of: storage), into: destination, at: SourceLocation(path: path + " [\(name)]"))
        // A tensor is read once, into a model: its pages need not stay resident next to the copy
        // (a view of the same storage read later maps them again).
        file.releasePages(storage.data)
    }
}
