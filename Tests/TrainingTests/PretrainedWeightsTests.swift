import DSPrepSupport
import Foundation
import TestSupport
import XCTest
@testable import Training

/// Weights files written by the real torch (tools/fixtures/generate-weights-fixtures.py) read back exactly,
/// and hostile or damaged files refused with an `InputError`.
final class PretrainedWeightsTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/weights")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// expected.json: for each fixture, each tensor's torch dtype and shape.
    func manifest(_ fixture: String) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fixtures = try XCTUnwrap(object["fixtures"] as? [String: Any])
        return try XCTUnwrap(fixtures[fixture] as? [String: [String: Any]], fixture)
    }

    func values(_ source: TensorSource, _ name: String) throws -> [Float] {
        let shape = try XCTUnwrap(source.shape(of: name), name)
        var values = [Float](repeating: .nan, count: shape.reduce(1, *))
        try values.withUnsafeMutableBufferPointer { try source.read(name, into: $0) }
        return values
    }

    /// Every tensor of `source` has the name, shape, floating-point-ness and (bit-exact) values torch gave.
    func assertMatchesTorch(_ source: TensorSource, fixture: String, expected: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let manifest = try manifest(fixture)
        let reference = try SafetensorsFile(path: Self.fixture(expected))
        XCTAssertEqual(source.tensorNames, manifest.keys.sorted(), fixture, file: file, line: line)
        for name in manifest.keys.sorted() {
            let entry = try XCTUnwrap(manifest[name])
            XCTAssertEqual(source.shape(of: name), entry["shape"] as? [Int], "\(fixture) \(name)", file: file, line: line)
            let dtype = try XCTUnwrap(entry["dtype"] as? String)
            XCTAssertEqual(source.isFloatingPoint(name), dtype.hasPrefix("float") || dtype == "bfloat16",
                           "\(fixture) \(name) \(dtype)", file: file, line: line)
            let got = try values(source, name), want = try values(reference, name)
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(fixture) \(name)", file: file, line: line)
        }
    }

    func assertInputError<T>(_ expression: @autoclosure () throws -> T, mentions words: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            XCTAssertTrue(error is InputError, "not an InputError: \(error)", file: file, line: line)
            for word in words { XCTAssertTrue("\(error)".contains(word), "\"\(word)\" not in: \(error)", file: file, line: line) }
        }
    }

    /// Opens and reads every tensor: what loading a model does.
    func readAll(_ source: TensorSource) throws {
        for name in source.tensorNames { _ = try values(source, name) }
    }

    // MARK: - Files written by torch

    func testStateDictOfEveryDTypeAndLayout() throws {
        let checkpoint = try PyTorchCheckpoint(path: Self.fixture("state_dict.bin"))
        try assertMatchesTorch(checkpoint, fixture: "state_dict.bin", expected: "state_dict.expected.safetensors")
        // the cases the fixture exists for, spelled out
        XCTAssertEqual(checkpoint.shape(of: "transposed"), [4, 3])
        XCTAssertEqual(checkpoint.shape(of: "scalar"), [])
        XCTAssertEqual(try values(checkpoint, "scalar"), [2.5])
        XCTAssertEqual(try values(checkpoint, "expanded"), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
        XCTAssertEqual(try values(checkpoint, "int64"), [-3, -2, -1, 0, 1, 2, 3])
        XCTAssertFalse(checkpoint.isFloatingPoint("int64"))
        XCTAssertEqual(try values(checkpoint, "empty"), [])
        XCTAssertEqual(try values(checkpoint, "many.39"), [39])
        var short = [Float](repeating: 0, count: 5)
        assertInputError(try short.withUnsafeMutableBufferPointer { try checkpoint.read("float32", into: $0) },
                         mentions: ["[float32]", "has 6 values, expected 5"])
    }

    /// The same state dict with every size and offset in zip64 extra fields (what torch writes past 4 GB).
    func testZip64Records() throws {
        let checkpoint = try PyTorchCheckpoint(path: Self.fixture("state_dict-zip64.bin"))
        try assertMatchesTorch(checkpoint, fixture: "state_dict-zip64.bin", expected: "state_dict.expected.safetensors")
    }

    func testBertModelFoldersInEveryFormat() throws {
        for (folder, kind) in [("bert-bin", "PyTorchCheckpoint"), ("bert-bin-sharded", "ShardedWeights"),
                               ("bert-safetensors-sharded", "ShardedWeights")] {
            let source = try PretrainedWeights.open(folder: Self.fixture(folder))
            XCTAssertEqual("\(type(of: source))", kind, folder)
            try assertMatchesTorch(source, fixture: folder, expected: "bert.expected.safetensors")
        }
        let sharded = try XCTUnwrap(try PretrainedWeights.open(folder: Self.fixture("bert-bin-sharded")) as? ShardedWeights)
        XCTAssertEqual(sharded.shardNames.count, 3)
    }

    func testFolderPreferenceOrderAndMissingWeights() throws {
        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        assertInputError(try PretrainedWeights.open(folder: folder.path),
                         mentions: [folder.path, "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                                    "pytorch_model.bin.index.json"])
        assertInputError(try PretrainedWeights.open(folder: folder.appendingPathComponent("absent").path), mentions: ["absent"])
        let manager = FileManager.default
        try manager.copyItem(atPath: Self.fixture("bert-bin/pytorch_model.bin"), toPath: folder.appendingPathComponent("pytorch_model.bin").path)
        XCTAssertTrue(try PretrainedWeights.open(folder: folder.path) is PyTorchCheckpoint)
        for shard in try manager.contentsOfDirectory(atPath: Self.fixture("bert-safetensors-sharded")) {
            try manager.copyItem(atPath: Self.fixture("bert-safetensors-sharded/" + shard), toPath: folder.appendingPathComponent(shard).path)
        }
        XCTAssertTrue(try PretrainedWeights.open(folder: folder.path) is ShardedWeights)
        try Safetensors.write([], to: folder.appendingPathComponent("model.safetensors").path)
        XCTAssertTrue(try PretrainedWeights.open(folder: folder.path) is SafetensorsFile)
    }

    /// Sizes, strides and offsets from a file are checked before any index is computed from them.
    func testLayoutsRefuseOverflowAndNegativeValues() {
        XCTAssertNil(TensorLayout(dtype: .float32, shape: [Int.max, 2], strides: [2, 1], offset: 0))
        XCTAssertNil(TensorLayout(dtype: .float32, shape: [3, 3], strides: [Int.max / 2, 1], offset: 0))
        XCTAssertNil(TensorLayout(dtype: .float32, shape: [3], strides: [-1], offset: 2))
        XCTAssertNil(TensorLayout(dtype: .float32, shape: [3], strides: [1], offset: -1))
        XCTAssertNil(TensorLayout(dtype: .float32, shape: [3, 2], strides: [1], offset: 0))
        XCTAssertNil(TensorLayout(contiguous: .float64, shape: [1 << 40, 1 << 40]))
        let view = TensorLayout(dtype: .float16, shape: [2, 3], strides: [1, 2], offset: 5)
        XCTAssertEqual(view?.count, 6)
        XCTAssertEqual(view?.extent, 11)  // 5 + 1·1 + 2·2, plus one
        XCTAssertEqual(TensorLayout(dtype: .int8, shape: [4, 0], strides: [9, 9], offset: 100)?.extent, 0)
        // a buffer shorter than the layout reaches is an error, not a read past its end
        let bytes = [UInt8](repeating: 0, count: 21)
        var values = [Float](repeating: 0, count: 6)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { buffer in
            try values.withUnsafeMutableBufferPointer { try view?.copy(from: buffer, into: $0, at: SourceLocation(path: "t")) }
        })
        assertInputError(try PretrainedWeights.open(file: Self.fixture("expected.json")), mentions: ["not a weights file"])
    }

    // MARK: - Hostile files: refused, never run

    func testPickleCallingOSSystemIsRefusedAndNothingRuns() throws {
        let marker = "/tmp/dsprep-weights-pwned"
        try? FileManager.default.removeItem(atPath: marker)
        let path = Self.fixture("exploit-os-system.bin")
        assertInputError(try PyTorchCheckpoint(path: path), mentions: [path, "posix.system", "nothing was executed"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the exploit's command ran")
        assertInputError(try PyTorchCheckpoint(path: Self.fixture("exploit-eval.bin")), mentions: ["builtins.eval"])
        assertInputError(try PyTorchCheckpoint(path: Self.fixture("unknown-opcode.bin")), mentions: ["opcode 0x69 ('i')", "data.pkl"])
        assertInputError(try PyTorchCheckpoint(path: Self.fixture("legacy.bin")), mentions: ["legacy", "re-save"])
    }

    func testPickleReaderRefusesWhatTorchNeverWrites() throws {
        let reader = PickleReader(path: "test.pkl", globals: PyTorchCheckpoint.allowedGlobals)
        func read(_ bytes: [UInt8]) throws -> PickleValue { try bytes.withUnsafeBytes { try reader.read($0) } }
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "truncated"),
            ("no STOP", [0x80, 0x02, 0x7D], "truncated"),
            ("STACK_GLOBAL os.system", [0x8C, 2] + Array("os".utf8) + [0x8C, 6] + Array("system".utf8) + [0x93, 0x2E], "os.system"),
            ("calling a storage type", Array("ctorch\nFloatStorage\n)R.".utf8), "refuses to call torch.FloatStorage"),
            ("calling a non-global", [0x29, 0x29, 0x52, 0x2E], "not an allowed global"),
            ("empty memo slot", [0x68, 7, 0x2E], "memo slot 7"),
            ("BUILD on a tuple", [0x29, 0x7D, 0x62, 0x2E], "BUILD"),
            ("SETITEM on a tuple", [0x29, 0x4B, 1, 0x4B, 2, 0x73, 0x2E], "SETITEM"),
            ("nesting bomb", [0x29] + [UInt8](repeating: 0x85, count: 1000) + [0x2E], "nest more than"),
            // a dict memoized empty, filled 62 deep, fetched back from the memo and wrapped 10 more times
            ("nesting past the memo", [0x7D, 0x71, 0, 0x4B, 1, 0x4B, 1] + [UInt8](repeating: 0x85, count: 60)
                + [0x73, 0x30, 0x68, 0] + [UInt8](repeating: 0x85, count: 10) + [0x2E], "nest more than"),
            ("a dict inside itself", [0x7D, 0x71, 0, 0x4B, 1, 0x68, 0, 0x73, 0x2E], "contain itself"),
            ("mutating a frozen dict", [0x7D, 0x71, 0, 0x85, 0x68, 0, 0x4B, 1, 0x4B, 2, 0x73, 0x2E], "not a dict being built"),
            ("two values at STOP", [0x4B, 1, 0x4B, 2, 0x2E], "STOP with 2 values"),
            ("string past the end", [0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x61], "truncated"),
            ("invalid UTF-8", [0x8C, 1, 0xFF, 0x2E], "UTF-8"),
            ("pop below MARK", [0x4B, 1, 0x28, 0x85, 0x2E], "TUPLE1"),
        ]
        for (label, bytes, expected) in cases {
            XCTAssertThrowsError(try read(bytes), label) { error in
                XCTAssertTrue(error is InputError && "\(error)".contains(expected), "\(label): \(error)")
            }
        }
        // what it accepts: an OrderedDict with attributes (BUILD), LONG1, BINFLOAT, LONG_BINPUT/GET
        let accepted: [UInt8] = Array("ccollections\nOrderedDict\n)R".utf8)
            + [0x72, 0, 1, 0, 0, 0x28, 0x8C, 1, 0x61, 0x8A, 2, 0xFE, 0xFF, 0x8C, 1, 0x62, 0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0,
               0x75, 0x7D, 0x62, 0x6A, 0, 1, 0, 0, 0x30, 0x2E]
        guard case let .container(dict) = try read(accepted) else { return XCTFail("not a dict") }
        XCTAssertEqual(dict.pairs.count, 2)
        XCTAssertEqual(dict.pairs[0].value.int, -2)
        guard case let .float(value) = dict.pairs[1].value else { return XCTFail("not a float") }
        XCTAssertEqual(value, 1.5)
    }

    // MARK: - Damaged files: an InputError, no crash

    /// The bytes of the one-file BERT checkpoint.
    func bertBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: Self.fixture("bert-bin/pytorch_model.bin"))) }

    func damaged(_ data: Data, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString)-\(name).bin").path
        try data.write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func ranges(of text: String, in data: Data) -> [Range<Int>] {
        var found: [Range<Int>] = [], start = data.startIndex
        while let range = data.range(of: Data(text.utf8), in: start..<data.endIndex) {
            found.append(range.lowerBound..<range.upperBound)
            start = range.upperBound
        }
        return found
    }

    func testTruncatedArchives() throws {
        let data = try bertBytes()
        for cut in [0, 3, 21, 100, data.count / 3, data.count / 2, data.count - 100, data.count - 23, data.count - 1] {
            let path = try damaged(data.prefix(cut), "cut\(cut)")
            XCTAssertThrowsError(try readAll(PyTorchCheckpoint(path: path)), "cut at \(cut)") { error in
                XCTAssertTrue(error is InputError && "\(error)".contains(path), "cut at \(cut): \(error)")
            }
        }
    }

    func testWrongChecksumSizeAndMissingStorage() throws {
        let data = try bertBytes()
        let storage = "pytorch_model/data/0"
        let names = ranges(of: storage, in: data)
        XCTAssertEqual(names.count, 2, "local and central record")
        let local = names[0].lowerBound - 30, localExtra = Int(data[local + 28]) | Int(data[local + 29]) << 8
        let dataStart = names[0].upperBound + localExtra

        // a flipped bit in a storage: opening succeeds, reading any tensor of that storage names the CRC
        var flipped = data
        flipped[dataStart + 1] ^= 0x10
        let flippedSource = try PyTorchCheckpoint(path: damaged(flipped, "crc"))
        assertInputError(try readAll(flippedSource), mentions: [storage, "CRC-32"])

        // the directory's size for that entry grown by 4: the data descriptor no longer lines up
        var resized = data
        let central = names[1].lowerBound - 46
        for field in [central + 20, central + 24] {
            let size = resized[field..<(field + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } + 4
            withUnsafeBytes(of: size) { resized.replaceSubrange(field..<(field + 4), with: $0) }
        }
        assertInputError(try PyTorchCheckpoint(path: damaged(resized, "size")), mentions: [storage, "data descriptor"])

        // the storage entry renamed in both records: the tensor names its missing storage
        var renamed = data
        for range in names { renamed[range.upperBound - 1] = UInt8(ascii: "Z") }
        assertInputError(try PyTorchCheckpoint(path: damaged(renamed, "missing")), mentions: [storage, "missing"])

        // a compressed entry (method 8) is refused rather than read as raw bytes
        var compressed = data
        compressed[central + 10] = 8
        assertInputError(try PyTorchCheckpoint(path: damaged(compressed, "deflate")), mentions: ["compressed"])
    }

    /// Random byte changes never crash: the unpickler on torch's own pickle, and the zip reader on the
    /// archive's headers and directory (data changes are the CRC's job, tested above).
    func testRandomDamageIsAnErrorOrHarmless() throws {
        let data = try bertBytes()
        var random = SeededGenerator(seed: 2026)
        let pickle = try data.withUnsafeBytes { bytes -> [UInt8] in
            let archive = try ZipArchive(bytes: bytes, path: "bert")
            let entry = try XCTUnwrap(archive.entry("pytorch_model/data.pkl"))
            return Array(archive.data(of: entry))
        }
        let reader = PickleReader(path: "data.pkl", globals: PyTorchCheckpoint.allowedGlobals)
        for trial in 0..<1500 {
            var damaged = pickle
            for _ in 0...random.below(3) { damaged[random.below(damaged.count)] = UInt8(truncatingIfNeeded: random.next()) }
            if trial % 10 == 0 { damaged.removeLast(random.below(damaged.count)) }
            do { _ = try damaged.withUnsafeBytes { try reader.read($0) } } catch { XCTAssertTrue(error is InputError, "\(error)") }
        }
        // the directory (the tail) and the local headers and names (the first 64 bytes of each entry)
        let headers = ranges(of: "pytorch_model/", in: data).map { max(0, $0.lowerBound - 30)..<($0.upperBound + 40) }
        let regions = headers + [(data.count - 1600)..<data.count]
        for trial in 0..<120 {
            var changed = data
            let region = regions[random.below(regions.count)]
            changed[region.lowerBound + random.below(region.count)] = UInt8(truncatingIfNeeded: random.next())
            let path = try damaged(changed, "fuzz\(trial)")
            do { try readAll(PyTorchCheckpoint(path: path)) } catch { XCTAssertTrue(error is InputError, "trial \(trial): \(error)") }
        }
    }

    /// Both shard indexes, each edited to move one tensor: outside the folder, to a missing shard,
    /// to a shard that does not hold it, or out of the map (its shard then holds an unlisted tensor).
    func testShardIndexErrors() throws {
        for (fixture, indexName) in [("bert-safetensors-sharded", "model.safetensors.index.json"),
                                     ("bert-bin-sharded", "pytorch_model.bin.index.json")] {
            let source = Self.fixture(fixture)
            let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source + "/" + indexName)))
            let weightMap = try XCTUnwrap((original as? [String: Any])?["weight_map"] as? [String: String])
            let tensor = "pooler.dense.weight", home = try XCTUnwrap(weightMap[tensor])
            let elsewhere = try XCTUnwrap(Set(weightMap.values).subtracting([home]).sorted().first)
            let cases: [(shard: String?, expected: String)] = [
                ("../" + home, "not a plain file name"), ("/etc/passwd", "not a plain file name"),
                ("model-00009-of-00009.safetensors", "not in"), (elsewhere, "does not hold it"), (nil, "does not list"),
            ]
            for (shard, expected) in cases {
                let folder = try TestEnvironment.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: folder) }
                for file in try FileManager.default.contentsOfDirectory(atPath: source) where file != indexName {
                    try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder.appendingPathComponent(file).path)
                }
                var changed = weightMap
                changed[tensor] = shard
                try JSONSerialization.data(withJSONObject: ["weight_map": changed]).write(to: folder.appendingPathComponent(indexName))
                assertInputError(try PretrainedWeights.open(folder: folder.path), mentions: [indexName, tensor, expected])
            }
        }
    }

    // MARK: - A real model

    func testRealMiniLMFolder() throws {
        let folder = try TestEnvironment.requireModel("all-MiniLM-L6-v2")
        let source = try PretrainedWeights.open(folder: folder.path)
        XCTAssertEqual(source.tensorNames.count, 104)
        XCTAssertEqual(source.shape(of: "embeddings.word_embeddings.weight"), [30522, 384])
        XCTAssertEqual(source.shape(of: "embeddings.position_ids"), [1, 512])
        XCTAssertFalse(source.isFloatingPoint("embeddings.position_ids"))
        XCTAssertEqual(try values(source, "embeddings.position_ids"), (0..<512).map(Float.init))
        try readAll(source)
    }
}
