// spm-bench: encodes a text file line by line with a sentencepiece .model and prints what
// sentencepiece's `encode` would (ids or pieces, one line per input line), or times it.
// Used by tools/parity/spm-parity.sh (full-corpus parity) and tools/bench/spm-bench.sh (throughput).
//
//   spm-bench --model M.model [--format id|piece|none] [--threads N] [--repeat R] FILE
//   spm-bench --model M.model --write-tokenizer-json OUT.json    (the model as a HF tokenizer.json)
//
// Timing (stderr) covers encoding only: the file is read into memory first and output is
// written after the clock stops, so the number is the tokenizer's own throughput.
import DSPrepSupport
import Foundation
import Tokenizers

struct Options {
    var model = ""
    var format = "id"
    var threads = 1
    var repeats = 1
    var file = ""
    var tokenizerJSON = ""
}

func parseOptions() throws -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    func value(_ flag: String) throws -> String {
        guard let next = arguments.popFirst() else { throw InputError("\(flag) needs a value") }
        return next
    }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--model": options.model = try value(argument)
        case "--format": options.format = try value(argument)
        case "--threads": options.threads = Int(try value(argument)) ?? 0
        case "--repeat": options.repeats = Int(try value(argument)) ?? 0
        case "--write-tokenizer-json": options.tokenizerJSON = try value(argument)
        default: options.file = argument
        }
    }
    guard !options.model.isEmpty, !options.file.isEmpty || !options.tokenizerJSON.isEmpty, options.threads >= 1, options.repeats >= 1,
          ["id", "piece", "none"].contains(options.format) else {
        throw InputError("usage: spm-bench --model M.model [--format id|piece|none] [--threads N] [--repeat R] FILE\n"
            + "       spm-bench --model M.model --write-tokenizer-json OUT.json")
    }
    return options
}

do {
    let options = try parseOptions()
    let tokenizer = try SentencePieceTokenizer.load(path: options.model)
    if !options.tokenizerJSON.isEmpty {
        try tokenizer.saveTokenizerJSON(to: options.tokenizerJSON)
        exit(0)
    }
    let file = try MappedFile(path: options.file)
    // Lines as byte ranges of the mapped file ("\n" separated, as reference_encode.py reads).
    var lineRanges: [Range<Int>] = []
    var start = 0
    for (index, byte) in file.bytes.enumerated() where byte == UInt8(ascii: "\n") {
        lineRanges.append(start..<index)
        start = index + 1
    }
    if start < file.bytes.count { lineRanges.append(start..<file.bytes.count) }
    let lines = lineRanges
    let totalBytes = lines.reduce(0) { $0 + $1.count }

    // Each thread encodes a contiguous share of the lines into its own id lists.
    let threadCount = min(options.threads, max(lines.count, 1))
    let results = UnsafeMutableBufferPointer<[[Int32]]>.allocate(capacity: threadCount)
    results.initialize(repeating: [])
    defer { results.deallocate() }
    let base = UnsafeBufferPointer(start: file.bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                   count: file.bytes.count)
    let clock = ContinuousClock()
    let began = clock.now
    for _ in 0..<options.repeats {
        Parallel.tasks(threadCount) { thread in
            let share = lines.count / threadCount
            let lower = thread * share
            let upper = thread == threadCount - 1 ? lines.count : lower + share
            let workspace = SentencePieceWorkspace()
            var encoded: [[Int32]] = []
            encoded.reserveCapacity(upper - lower)
            for line in lines[lower..<upper] {
                var ids: [Int32] = []
                encodeLine: do {
                    guard let start = base.baseAddress else { break encodeLine }
                    tokenizer.encodeIDs(utf8: UnsafeBufferPointer(start: start + line.lowerBound, count: line.count),
                                        workspace: workspace, appendingTo: &ids)
                }
                encoded.append(ids)
            }
            results[thread] = encoded
        }
    }
    let elapsed = clock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let megabytes = Double(totalBytes * options.repeats) / 1e6
    FileHandle.standardError.write(String(
        format: "spm-bench: %d lines, %.1f MB x %d, %d thread(s): %.3f s, %.1f MB/s\n",
        lines.count, Double(totalBytes) / 1e6, options.repeats, threadCount, seconds, megabytes / seconds).data(using: .utf8)!)

    if options.format != "none" {
        var out = [UInt8]()
        out.reserveCapacity(totalBytes * 2)
        for encoded in results {
            for ids in encoded {
                for (index, id) in ids.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: " ")) }
                    if options.format == "id" {
                        out.append(contentsOf: String(id).utf8)
                    } else {
                        out.append(contentsOf: (tokenizer.token(of: id) ?? "").utf8)
                    }
                }
                out.append(UInt8(ascii: "\n"))
            }
        }
        FileHandle.standardOutput.write(Data(out))
    }
} catch {
    FileHandle.standardError.write("spm-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
