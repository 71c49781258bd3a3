@testable import Datasets
import Foundation
import XCTest

/// `GridBatchWriter` joins datasets into the bytes a single writer gives the whole table in
/// batches of N rows: it copies the batches that already lie on that grid and encodes the rest.
final class GridBatchWriterTests: XCTestCase {
    static let total = 1537, perBatch = 100  // the fixture's int32 column overflows past row 2147

    /// Writes rows `rows` of the fixture table as a dataset whose batches end at `cuts` (global row numbers) and at its end.
    private func writeSource(_ rows: Range<Int>, cutAt cuts: (Int) -> Bool, to path: String) throws {
        let writer = try DatasetWriter(path: path, schema: ArrowFixtures.schema)
        var start = rows.lowerBound
        for row in rows.dropFirst() where cuts(row) {
            try writer.write(try ArrowFixtures.batch(start: start, rows: row - start))
            start = row
        }
        if start < rows.upperBound { try writer.write(try ArrowFixtures.batch(start: start, rows: rows.upperBound - start)) }
        try writer.finish()
    }

    /// The reference: one writer, the whole table in batches on the grid.
    private func writeReference(to path: String, maxShardBytes: Int) throws {
        let writer = try DatasetWriter(path: path, schema: ArrowFixtures.schema, maxShardBytes: maxShardBytes)
        for start in stride(from: 0, to: Self.total, by: Self.perBatch) {
            try writer.write(try ArrowFixtures.batch(start: start, rows: min(Self.perBatch, Self.total - start)))
        }
        try writer.finish()
    }

    private func join(_ sources: [String], to path: String, maxShardBytes: Int) throws -> GridBatchWriter {
        let writer = try DatasetWriter(path: path, schema: ArrowFixtures.schema, maxShardBytes: maxShardBytes)
        var grid = GridBatchWriter(writer: writer, rowsPerBatch: Self.perBatch, total: Self.total)
        for source in sources { try Dataset.forEachEncodedBatch(in: source) { try grid.add($0) } }
        try writer.finish()
        return grid
    }

    private func assertSameFiles(_ folder: String, _ reference: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: reference).sorted()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), names, file: file, line: line)
        for name in names {
            XCTAssertEqual(FileManager.default.contents(atPath: folder + "/" + name), FileManager.default.contents(atPath: reference + "/" + name),
                           name, file: file, line: line)
        }
    }

    func testSourcesOnTheGridAreCopiedExceptWhereABoundaryCutsABatch() throws {
        let parent = try makeTemporaryFolder(self)
        let boundaries = [0, 640, 1333, Self.total]
        let sources = try zip(boundaries, boundaries.dropFirst()).enumerated().map { index, range in
            let path = parent + "/shard-\(index)"
            try writeSource(range.0..<range.1, cutAt: { $0 % Self.perBatch == 0 }, to: path)
            return path
        }
        for maxShardBytes in [DatasetWriter.defaultMaxShardBytes, 40_000] {
            try writeReference(to: parent + "/reference-\(maxShardBytes)", maxShardBytes: maxShardBytes)
            let grid = try join(sources, to: parent + "/joined-\(maxShardBytes)", maxShardBytes: maxShardBytes)
            try assertSameFiles(parent + "/joined-\(maxShardBytes)", parent + "/reference-\(maxShardBytes)")
            // 16 grid batches; the ones holding rows 640 and 1333 are cut in two and joined again
            XCTAssertEqual(grid.copiedBatches, 14)
            XCTAssertEqual(grid.encodedBatches, 2)
        }
        XCTAssertGreaterThan(try FileManager.default.contentsOfDirectory(atPath: parent + "/reference-40000").filter { $0.hasSuffix(".arrow") }.count, 2)
    }

    func testSourcesOffTheGridAreEncodedIntoTheSameBytes() throws {
        let parent = try makeTemporaryFolder(self)
        let boundaries = [0, 1000, 1001, 1001, Self.total]  // an empty source too
        let sources = try zip(boundaries, boundaries.dropFirst()).enumerated().map { index, range in
            let path = parent + "/shard-\(index)"
            try writeSource(range.0..<range.1, cutAt: { ($0 - range.0) % 70 == 0 }, to: path)
            return path
        }
        try writeReference(to: parent + "/reference", maxShardBytes: 40_000)
        let grid = try join(sources, to: parent + "/joined", maxShardBytes: 40_000)
        try assertSameFiles(parent + "/joined", parent + "/reference")
        XCTAssertEqual(grid.copiedBatches + grid.encodedBatches, 16)
    }
}
