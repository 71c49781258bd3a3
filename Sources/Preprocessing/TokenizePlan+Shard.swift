import Datasets
import DSPrepSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tokenizers

extension TokenizePlan {
    /// What one planned shard read and wrote, for the launcher's report.
    public struct ShardStats: Codable, Sendable {
        public var shard: Int
        public var shards: Int
        public var rows: Int
        /// The input bytes the shard mapped, digested and parsed (its range), of `inputBytes`.
        public var byteStart: Int
        public var byteEnd: Int
        public var inputBytes: Int
        /// Bytes the parser consumed from the range's first record on: equals the range less the
        /// header for shard 0 (a test checks it).
        public var parsedBytes: Int
        /// `rchar` of /proc/self/io: bytes this process read through read(2), which counts the
        /// plan and the tokenizer but not the mapped input (page faults are not reads).
        public var processReadBytes: Int?
        /// Peak resident memory of the process (getrusage), which stays flat as the input grows.
        public var peakResidentBytes: Int
        public var seconds: Double
        public var summary: TokenizeSummary
    }

    /// Runs shard `index`: checks the tokenizer and the shard's bytes against the plan, then
    /// tokenizes the shard's rows into a dataset folder at `out` (written whole or not at all).
    public func runShard(_ index: Int, out: String, threads: Int, loadTokenizer: (String) throws -> any TextTokenizer,
                         progress: ProgressBar?) throws -> ShardStats {
        guard shards.indices.contains(index) else {
            throw InputError("--shard-index \(index) is outside the plan's \(shards.count) shards", hint: "give 0...\(shards.count - 1)")
        }
        let start = Date()
        let shard = shards[index]
        try checkTokenizer()
        try checkInput(shard)
        let tokenizer = try loadTokenizer(tokenizerPath)
        let job = TokenizeJob(tokenizer: tokenizer, options: jobOptions(threads: threads), ingestOptions: ingest.options)
        let segment = TabularReader.Segment(bytes: shard.byteStart..<shard.byteEnd, dataStart: shard.dataStart, fileSize: input.size,
                                            schema: Schema(schema), rowCount: shard.rows)
        let reader = try TabularReader(path: input.path, options: ingest.options, segment: segment)
        let result = try job.write(reader, rows: 0..<shard.rows, roles: roles, labels: labels, into: out, split: nil, progress: progress)
        return ShardStats(shard: index, shards: shards.count, rows: shard.rows, byteStart: shard.byteStart, byteEnd: shard.byteEnd,
                          inputBytes: input.size, parsedBytes: reader.bytesRead - (shard.dataStart - shard.byteStart),
                          processReadBytes: Self.processReadBytes(), peakResidentBytes: Self.peakResidentBytes(), seconds: Date().timeIntervalSince(start), summary: result.summary)
    }

    /// Compares the size of the input and the digest of the shard's bytes with the plan (the
    /// shards' digests together cover the whole file).
    func checkInput(_ shard: PlannedShard) throws {
        let size = try? Self.fileSize(input.path)
        guard size == input.size else { throw Self.changed(input.path, detail: size.map { "\($0) bytes, planned \(input.size)" } ?? "missing") }
        let file = try MappedFile(path: input.path, range: shard.byteStart..<shard.byteEnd, expectedSize: input.size)
        guard FileDigest.of(file, range: 0..<file.bytes.count) == shard.digest else {
            throw Self.changed(input.path, detail: "bytes \(shard.byteStart)..<\(shard.byteEnd), shard \(shard.index), differ")
        }
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    }

    /// `rchar` from /proc/self/io (Linux), nil elsewhere.
    static func processReadBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return Int(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
