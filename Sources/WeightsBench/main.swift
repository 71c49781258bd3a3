// Opens a weights file or model folder and reads every tensor as Float32, as loading a model does:
// the time to open (headers, zip directory, pickle) and to read (conversion, CRC of torch storages).
// usage: WeightsBench PATH [RUNS]   (PATH: a model folder or any file PretrainedWeights.open(file:) takes)
// Prints one JSON line per run. Run through tools/bench/bench-weights.sh, which races torch and safetensors.
import DSPrepSupport
import Foundation
import Training

func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

func run(_ path: String) throws -> String {
    let start = DispatchTime.now()
    var isFolder: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
    let source = isFolder.boolValue ? try PretrainedWeights.open(folder: path) : try PretrainedWeights.open(file: path)
    let opened = seconds(since: start)
    var values = 0, checksum = 0.0
    for name in source.tensorNames {
        guard let shape = source.shape(of: name) else { continue }
        // a fresh buffer per tensor, as a model's parameters would be (left uninitialized: read fills it)
        let buffer = try [Float](unsafeUninitializedCapacity: shape.reduce(1, *)) { values, count in
            try source.read(name, into: values)
            count = values.count
        }
        values += buffer.count
        checksum += Double(buffer.first ?? 0)
    }
    let total = seconds(since: start)
    return "{\"tool\": \"dsprep\", \"path\": \"\(path)\", \"open_s\": \(opened), \"total_s\": \(total), \"tensors\": \(source.tensorNames.count), "
        + "\"values\": \(values), \"checksum\": \(checksum), \"peak_rss_mb\": \(ProcessResources.peakResidentBytes() >> 20)}"
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: WeightsBench PATH [RUNS]\n".utf8))
    exit(2)
}
do {
    for _ in 0..<(arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1) { print(try run(arguments[1])) }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
