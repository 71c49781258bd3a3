import DSPrepSupport
import Foundation

/// The weights of a pretrained HF model folder, whatever format the hub gave it in.
public enum PretrainedWeights {
    /// The weight files looked for, in order of preference: safetensors first (no pickle, no
    /// copy), single files before shard indexes, as transformers' `from_pretrained` picks them.
    public static let fileNames = ["model.safetensors", "model.safetensors.index.json",
                                   "pytorch_model.bin", "pytorch_model.bin.index.json"]

    /// Opens the first of `fileNames` present in `folder`; a damaged file is an error, not a reason
    /// to fall back to the next. Throws naming the folder and the files it looked for when there is none.
    public static func open(folder: String) throws -> TensorSource {
        for name in fileNames {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return try open(file: path) }
        }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
        throw InputError(exists && isFolder.boolValue ? "holds none of \(fileNames.joined(separator: ", "))"
                                                      : "is not a folder, expected a model folder holding one of \(fileNames.joined(separator: ", "))",
                         at: SourceLocation(path: folder), hint: "point at a Hugging Face model folder (the one with config.json)")
    }

    /// Opens one weights file by its kind: `.safetensors`, a torch `.bin`, or a shard index
    /// (`*.safetensors.index.json` / `*.bin.index.json`).
    public static func open(file path: String) throws -> TensorSource {
        if path.hasSuffix(".safetensors.index.json") { return try ShardedWeights(indexPath: path, openShard: SafetensorsFile.init) }
        if path.hasSuffix(".bin.index.json") { return try ShardedWeights(indexPath: path, openShard: PyTorchCheckpoint.init) }
        if path.hasSuffix(".safetensors") { return try SafetensorsFile(path: path) }
        if path.hasSuffix(".bin") || path.hasSuffix(".pt") || path.hasSuffix(".pth") { return try PyTorchCheckpoint(path: path) }
        throw InputError("is not a weights file: expected .safetensors, .bin, or a *.safetensors.index.json / *.bin.index.json shard index",
                         at: SourceLocation(path: path))
    }
}
