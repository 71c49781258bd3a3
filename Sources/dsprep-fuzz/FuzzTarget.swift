import Datasets
import DSPrepSupport
import Foundation
import Tokenizers
import Training

/// The parsers of files users hand to dsprep, each as a target for coverage-guided fuzzing
/// (`tools/fuzz/fuzz.sh`). A target gets the bytes as a file with the extension that format is known
/// by, since every reader takes a path (and memory-maps it). A clean `InputError` is the
/// expected answer to bad bytes; a crash, a trap or a hang is a bug.
enum FuzzTarget: String, CaseIterable {
    case csv, tsv, jsonl, json
    case tokenizerJSON = "tokenizer-json"
    case vocabText = "vocab-txt"
    case sentencepiece = "spm-model"
    case arrow, safetensors
    case pytorchBin = "pytorch-bin"
    case trainConfig = "train-config"

    /// The name the input file gets: the extension picks the format, as it does for users.
    var fileName: String {
        switch self {
        case .csv: "input.csv"
        case .tsv: "input.tsv"
        case .jsonl: "input.jsonl"
        case .json: "input.json"
        case .tokenizerJSON: "tokenizer.json"
        case .vocabText: "vocab.txt"
        case .sentencepiece: "input.model"
        case .arrow: "data-00000-of-00001.arrow"
        case .safetensors: "model.safetensors"
        case .pytorchBin: "pytorch_model.bin"
        case .trainConfig: "train.yaml"
        }
    }

    /// Texts a loaded tokenizer encodes, so that loading is not the only code that runs.
    static let probes = ["아 더빙.. 진짜 짜증나네요 목소리", "Hello, WORLD! 123 ㅋㅋ", "", " \u{FEFF}\t😀 a\u{0301}"]

    /// Parses the file at `path` as this target's format and uses what it gets.
    func run(path: String) throws {
        switch self {
        case .csv, .tsv, .jsonl, .json:
            let reader = try TabularReader(path: path)
            while try reader.nextBatch(maxRows: 7) != nil {}
        case .tokenizerJSON, .vocabText, .sentencepiece:
            let tokenizer = try TokenizerLoader.load(path: path)
            for text in Self.probes {
                let encoding = try tokenizer.encode(text, addSpecialTokens: true)
                _ = tokenizer.decode(encoding.ids, skipSpecialTokens: false)
                _ = try tokenizer.encode(text, pair: text, addSpecialTokens: true)
            }
        case .arrow:
            _ = try ArrowStreamReader.readTable(path: path)
        case .safetensors, .pytorchBin:
            let file = try PretrainedWeights.open(file: path)
            for name in file.tensorNames {
                guard let shape = file.shape(of: name) else { continue }
                var values = [Float](repeating: 0, count: shape.reduce(1, *))
                try values.withUnsafeMutableBufferPointer { try file.read(name, into: $0) }
            }
        case .trainConfig:
            var arguments = TrainingArguments()
            for entry in try ConfigFile.load(path: path) { _ = try? arguments.set(entry.key, entry.value) }
        }
    }

    /// Writes `bytes` to this target's file in `folder` and runs the target on it. Returns the
    /// input error bad bytes got (the expected outcome), nil when the input was accepted.
    @discardableResult
    func run(bytes: UnsafeRawBufferPointer, in folder: String) -> InputError? {
        let path = folder + "/" + fileName
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            FileHandle.standardError.write(Data("dsprep-fuzz: cannot write \(path)\n".utf8))
            exit(2)
        }
        do {
            try run(path: path)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            // Every reader reports bad input as InputError; anything else is a bug to look at.
            FileHandle.standardError.write(Data("dsprep-fuzz: \(rawValue): unexpected error type \(type(of: error)): \(error)\n".utf8))
            abort()
        }
    }

    /// The folder a process writes its inputs to (memory-backed where the system has /dev/shm).
    static let scratchFolder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = base + "/dsprep-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzTarget.scratchFolder) }
        return folder
    }()
}
