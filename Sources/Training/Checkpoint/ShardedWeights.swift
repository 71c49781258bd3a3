import DSPrepSupport
import Foundation

/// A model saved in shards: an index (`model.safetensors.index.json` or
/// `pytorch_model.bin.index.json`) whose `weight_map` names, for every tensor, the file in the same
/// folder that holds it. Opening checks the index against the shards: every shard name is a plain
/// file name (no `/`, no `..`: the index cannot point outside the folder), every shard exists, every
/// tensor is in the shard the index names, and no shard holds a tensor the index does not list.
public final class ShardedWeights: TensorSource {
    public let indexPath: String
    /// The shard file names, sorted.
    public let shardNames: [String]
    private let owners: [String: TensorSource]

    /// Opens every shard the index names with `openShard` (given the shard's full path).
    public init(indexPath: String, openShard: (String) throws -> TensorSource) throws {
        self.indexPath = indexPath
        let index = SourceLocation(path: indexPath)
        let text = try MappedFile(path: indexPath)
        guard let weightMap = try JSONValue.parse(text.bytes, path: indexPath)["weight_map"]?.objectValue else {
            throw InputError("expected a JSON object with a \"weight_map\" object (tensor name → shard file)", at: index)
        }
        try check(!weightMap.isEmpty, "the weight_map is empty", at: index)
        let folder = (indexPath as NSString).deletingLastPathComponent
        var shards: [String: TensorSource] = [:], owners: [String: TensorSource] = [:], listed: [String: Set<String>] = [:]
        for (tensor, value) in weightMap {
            guard let shard = value.stringValue else { throw InputError("weight_map[\(tensor)] is not a file name", at: index) }
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), !shard.contains(".."), !shard.contains("\0") else {
                throw InputError("weight_map[\(tensor)] names shard \"\(shard)\", which is not a plain file name in the folder", at: index)
            }
            guard owners[tensor] == nil else { throw InputError("weight_map lists \(tensor) twice", at: index) }
            let source: TensorSource
            if let opened = shards[shard] {
                source = opened
            } else {
                let shardPath = (folder as NSString).appendingPathComponent(shard)
                guard FileManager.default.fileExists(atPath: shardPath) else {
                    throw InputError("weight_map[\(tensor)] names shard \(shard), which is not in \(folder)", at: index)
                }
                source = try openShard(shardPath)
                shards[shard] = source
            }
            guard source.shape(of: tensor) != nil else {
                throw InputError("weight_map puts \(tensor) in \(shard), which does not hold it", at: index)
            }
            owners[tensor] = source
            listed[shard, default: []].insert(tensor)
        }
        for (shard, source) in shards {
            if let stray = source.tensorNames.first(where: { listed[shard]?.contains($0) != true }) {
                throw InputError("shard \(shard) holds \(stray), which the weight_map does not list there", at: index)
            }
        }
        shardNames = shards.keys.sorted()
        self.owners = owners
    }

    public var tensorNames: [String] { owners.keys.sorted() }

    public func shape(of name: String) -> [Int]? { owners[name]?.shape(of: name) }

    public func isFloatingPoint(_ name: String) -> Bool { owners[name]?.isFloatingPoint(name) ?? false }

    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let owner = owners[name] else { throw InputError("tensor \(name) is missing", at: SourceLocation(path: indexPath)) }
        try owner.read(name, into: destination)
    }
}
