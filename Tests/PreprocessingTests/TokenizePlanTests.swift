@testable import Datasets
import DSPrepSupport
import Foundation
@testable import Preprocessing
import Tokenizers
import XCTest

/// `TokenizePlan`: shard byte ranges cover the file, a segment reader reads exactly its shard's
/// rows from exactly its bytes, and a changed input or tokenizer is refused by name.
final class TokenizePlanTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = work.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Rows with Korean text, string labels, blank lines (skipped) and quoted line breaks in CSV.
    private func rows(_ count: Int, format: IngestFormat) -> String {
        let labels = ["neg", "pos", "neutral"]
        switch format {
        case .jsonl:
            return (0..<count).map { #"{"id": \#($0), "text": "리뷰 \#($0) 좋다", "label": "\#(labels[$0 % 3])"}"# }.joined(separator: "\n") + "\n"
        case .csv:
            return "id,text,label\n" + (0..<count).map { "\($0),\"리뷰 \($0)\nline two\",\(labels[$0 % 3])\n" + ($0 % 7 == 0 ? "\n" : "") }.joined()
        default:
            return "id\ttext\tlabel\n" + (0..<count).map { "\($0)\t리뷰 \($0)\t\(labels[$0 % 3])\n" + ($0 % 7 == 0 ? "\n" : "") }.joined() + "\n\n"
        }
    }

    private func plan(_ path: String, shards: Int) throws -> TokenizePlan {
        let tokenizer = try write(#"{"model": "stand-in: planning digests the tokenizer, it does not load it"}"#, "tokenizer.json")
        return try TokenizePlan.make(inputs: [("train", path)], asCollection: false, tokenizerPath: tokenizer, options: TokenizeJob.Options(),
                                     ingestOptions: IngestOptions(), numShards: shards)
    }

    /// Every id a reader yields, in order.
    private func ids(_ reader: TabularReader) throws -> [Int64] {
        var ids: [Int64] = []
        while let batch = try reader.nextBatch(maxRows: 777) { ids += (0..<batch.count).map { batch.columns[0].integer($0) } }
        return ids
    }

    /// 2500 rows: every row start is recorded; 40,000: past `RowStarts.capacity`, so shard
    /// boundaries are found by reading again from a recorded start.
    func testSegmentReadersReadExactlyTheirRowsFromTheirBytes() throws {
        for (format, rowCount) in [(IngestFormat.tsv, 2500), (.csv, 2500), (.jsonl, 2500), (.tsv, 40_000), (.jsonl, 40_000)] {
            for shardCount in rowCount > RowStarts.capacity ? [7] : [1, 3, 8] {
                let path = try write(rows(rowCount, format: format), "input.\(format.rawValue)")
                let split = try plan(path, shards: shardCount).splits[0]
                let plan = split.input
                let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
                XCTAssertEqual(plan.rowCount, rowCount)
                XCTAssertEqual(split.labels, .classes(names: ["neg", "neutral", "pos"]))
                XCTAssertEqual(plan.shards.first?.byteStart, 0)
                XCTAssertEqual(plan.shards.last?.byteEnd, size)
                var nextRow: Int64 = 0
                for (shard, next) in zip(plan.shards, plan.shards.dropFirst().map(Optional.some) + [nil]) {
                    let context = "\(format) \(shardCount) shards, shard \(shard.index)"
                    if let next { XCTAssertEqual(shard.byteEnd, next.byteStart, context) }
                    XCTAssertEqual(shard.rows, Table.shardRange(count: rowCount, numShards: shardCount, index: shard.index).count, context)
                    let reader = try TabularReader(path: path, segment: TabularReader.Segment(
                        bytes: shard.byteStart..<shard.byteEnd, dataStart: shard.dataStart, fileSize: size,
                        schema: Schema(plan.schema), rowCount: shard.rows))
                    // The map is the shard's bytes only, and the parser consumes all of them.
                    XCTAssertEqual(reader.byteCount, shard.byteEnd - shard.byteStart, context)
                    XCTAssertEqual(try ids(reader), Array(nextRow..<(nextRow + Int64(shard.rows))), context)
                    XCTAssertEqual(reader.bytesRead, shard.byteEnd - shard.byteStart, context)
                    nextRow += Int64(shard.rows)
                }
            }
        }
    }

    /// Planning reads the file once (checking, typing, counting, row starts, block digests and
    /// labels in one pass), plus a little at each shard boundary.
    func testPlanningReadsTheInputOnce() throws {
        let path = try write(rows(60_000, format: .tsv), "input.tsv")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let input = try plan(path, shards: 8).splits[0].input
        XCTAssertGreaterThanOrEqual(input.bytesRead, size)
        // A boundary reads again at most the block it cuts and a stride of rows (60,000 rows / 8,192 starts kept: < 8 rows of < 40 bytes).
        XCTAssertLessThanOrEqual(input.bytesRead - size, 7 * (input.digestBlockSize + 8 * 40), "read \(input.bytesRead) of \(size)")
    }

    /// The labels come from the first pass's distinct cells: CSV escapes undone, JSON numbers as
    /// spelled, a missing JSON key is an empty score at the first row without it.
    func testLabelsFromTheFirstPassMatchTheConvertedColumn() throws {
        let csv = try write("text,label\n\"a\",\"say \"\"hi\"\"\"\nb,plain\nc,\"say \"\"hi\"\"\"\n", "quoted.csv")
        XCTAssertEqual(try plan(csv, shards: 2).splits[0].labels, .classes(names: ["plain", "say \"hi\""]))
        let integers = try write(#"{"text": "a", "label": 2}"# + "\n" + #"{"text": "b", "label": 0}"# + "\n", "integers.jsonl")
        XCTAssertEqual(try plan(integers, shards: 2).splits[0].labels, .classes(names: ["0", "1", "2"]))
        let late = try write(#"{"text": "a"}"# + "\n" + #"{"text": "b", "score": 0.5}"# + "\n", "late.jsonl")
        XCTAssertThrowsError(try plan(late, shards: 1)) {
            XCTAssertTrue("\($0)".contains("late.jsonl:1:") && "\($0)".contains("an empty score"), "\($0)")
        }
        let missing = try write(#"{"text": "a", "score": 0.5}"# + "\n" + #"{"text": "b", "score": 1e999}"# + "\n" + #"{"text": "c"}"# + "\n", "missing.jsonl")
        XCTAssertThrowsError(try plan(missing, shards: 1)) {
            XCTAssertTrue("\($0)".contains("missing.jsonl:2:") && "\($0)".contains("'inf' score"), "\($0)")
        }
    }

    /// A score column may hold more distinct values than classes can be; a text column that does is refused.
    func testManyDistinctLabelsAreScoresOrAnError() throws {
        let count = DistinctCells.limit + 10
        let scores = try write("text\tscore\n" + (0..<count).map { "t\t\(Double($0) / 7)\n" }.joined(), "scores.tsv")
        XCTAssertEqual(try plan(scores, shards: 1).splits[0].labels, .regression)
        let names = try write("text\tlabel\n" + (0..<count).map { "t\tclass \($0)\n" }.joined(), "names.tsv")
        XCTAssertThrowsError(try plan(names, shards: 1)) { XCTAssertTrue("\($0)".contains("too many to be classes"), "\($0)") }
    }

    func testChangedInputOrTokenizerIsRefusedNamingTheFile() throws {
        let path = try write(rows(3000, format: .tsv), "input.tsv")
        let plan = try plan(path, shards: 2)
        let tokenizer = { (_: String) throws -> any TextTokenizer in throw InputError("not reached: the check comes first") }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // One byte of shard 1 (same size): shard 0 still runs up to the tokenizer, shard 1 is refused.
        let offset = plan.splits[0].input.shards[1].byteStart + 10
        bytes[offset] = bytes[offset] == UInt8(ascii: "7") ? UInt8(ascii: "8") : UInt8(ascii: "7")
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try plan.runShard(0, out: work.appendingPathComponent("part-0").path, threads: 1, loadTokenizer: tokenizer, progress: nil)) {
            XCTAssertTrue("\($0)".contains("not reached"), "\($0)")
        }
        XCTAssertThrowsError(try plan.runShard(1, out: work.appendingPathComponent("part-1").path, threads: 1, loadTokenizer: tokenizer, progress: nil)) {
            XCTAssertTrue("\($0)".contains("\(path): changed since the plan was made"), "\($0)")
        }
        bytes.append(contentsOf: Array("1\tmore\tpos\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try plan.runShard(0, out: work.appendingPathComponent("part-0").path, threads: 1, loadTokenizer: tokenizer, progress: nil)) {
            XCTAssertTrue("\($0)".contains("\(path): changed since the plan was made"), "\($0)")
        }
        _ = try write(#"{"model": "another"}"#, "tokenizer.json")
        XCTAssertThrowsError(try plan.runShard(0, out: work.appendingPathComponent("part-0").path, threads: 1, loadTokenizer: tokenizer, progress: nil)) {
            XCTAssertTrue("\($0)".contains("tokenizer.json: changed since the plan was made"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("part-1").path))
    }

    func testPlanRoundTripsThroughJSON() throws {
        let path = try write(rows(10, format: .jsonl), "input.jsonl")
        let made = try plan(path, shards: 3)
        let file = work.appendingPathComponent("plan.json").path
        try made.write(to: file)
        let read = try TokenizePlan.read(from: file)
        XCTAssertEqual(read.splits[0].input.schema, made.splits[0].input.schema)
        XCTAssertEqual(read.splits[0].input.shards.map(\.digest), made.splits[0].input.shards.map(\.digest))
        XCTAssertThrowsError(try TokenizePlan.read(from: path)) { XCTAssertTrue("\($0)".contains("not a tokenize plan"), "\($0)") }
    }
}
