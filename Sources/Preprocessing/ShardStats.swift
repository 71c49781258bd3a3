import Datasets
import DSPrepSupport
import Foundation

/// What one planned shard process (`tokenize --plan`, `vocab count`) read and made, for the
/// launcher's report: one JSON line on stdout (`line`).
public struct ShardStats: Codable, Sendable {
    public var shard: Int
    public var shards: Int
    public var rows: Int
    /// Input bytes of the shard's ranges (each digested, then parsed), of `inputBytes` in all inputs.
    public var bytesRead: Int
    public var inputBytes: Int
    public var splits: [SplitRead]
    /// `rchar` of /proc/self/io: bytes this process read through read(2), which counts the
    /// plan and the tokenizer but not the mapped input (page faults are not reads).
    public var processReadBytes: Int?
    /// Peak resident memory of the process (getrusage), which stays flat as the input grows.
    public var peakResidentBytes: Int
    public var seconds: Double

    /// The figures of shard `shard` of `shards` that read `splits` and started at `start`.
    init(shard: Int, shards: Int, splits: [SplitRead], since start: Date) {
        self.shard = shard
        self.shards = shards
        self.splits = splits
        rows = splits.reduce(0) { $0 + $1.rows }
        bytesRead = splits.reduce(0) { $0 + $1.byteEnd - $1.byteStart }
        inputBytes = splits.reduce(0) { $0 + $1.inputBytes }
        processReadBytes = ProcessResources.readBytes()
        peakResidentBytes = ProcessResources.peakResidentBytes()
        seconds = Date().timeIntervalSince(start)
    }

    /// The line launchers read (dsprep-ray collects bytes read per task from it).
    public var line: String {
        Self.linePrefix + ((try? JSONValueEncoder().text(self, layout: .pythonDumps(indent: nil))) ?? "{}")
    }

    public static let linePrefix = "dsprep-shard-stats "
}

/// A shard's part of one input.
public struct SplitRead: Codable, Sendable {
    public var split: String
    public var rows: Int
    public var byteStart: Int
    public var byteEnd: Int
    public var inputBytes: Int
    /// Bytes the parser consumed from the range's first record on: equals the range less the
    /// header for shard 0 (a test checks it).
    public var parsedBytes: Int
    /// What tokenizing the rows made (nil for a count of words).
    public var summary: TokenizeSummary?

    /// What `reader` (of shard `index` of `input`) read.
    init(split: String, input: PlannedInput, shard index: Int, reader: TabularReader, summary: TokenizeSummary?) {
        let shard = input.shards[index]
        self.split = split
        rows = shard.rows
        byteStart = shard.byteStart
        byteEnd = shard.byteEnd
        inputBytes = input.size
        parsedBytes = reader.bytesRead - (shard.dataStart - shard.byteStart)
        self.summary = summary
    }
}
