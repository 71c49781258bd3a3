import DSPrepSupport
@testable import Datasets
import XCTest

final class DatasetCacheTests: XCTestCase {
    private var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-cache-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    private func write(_ text: String, _ name: String) throws -> String {
        let path = root + "-" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testKeyDependsOnContentAndParametersNotOnPath() throws {
        let first = try write("id\tdocument\n1\t좋다\n", "a.tsv"), copy = try write("id\tdocument\n1\t좋다\n", "b.tsv")
        let changed = try write("id\tdocument\n1\t싫다\n", "c.tsv")
        func key(_ path: String, maxLength: String = "128") throws -> String {
            var key = CacheKey(operation: "tokenize")
            try key.addFile(path)
            key.add("max_length", maxLength)
            return key.value
        }
        XCTAssertEqual(try key(first), try key(copy))
        XCTAssertNotEqual(try key(first), try key(changed))
        XCTAssertNotEqual(try key(first), try key(first, maxLength: "64"))
        XCTAssertEqual(try key(first).count, 32)
    }

    func testRememberedDigestFollowsRewritesOfTheSameSize() throws {
        let cache = DatasetCache(root: root)
        let path = try write("id\tdocument\n1\t좋다\n", "same-size.tsv")
        let first = try cache.contentDigest(of: path)
        XCTAssertEqual(first, try DatasetCache.computeDigest(of: path))
        XCTAssertEqual(try cache.contentDigest(of: path), first, "remembered")
        try Data("id\tdocument\n2\t싫다\n".utf8).write(to: URL(fileURLWithPath: path))  // same byte count
        XCTAssertEqual(try cache.contentDigest(of: path), try DatasetCache.computeDigest(of: path))
        XCTAssertNotEqual(try cache.contentDigest(of: path), first)
        let copy = try write("id\tdocument\n2\t싫다\n", "copy.tsv")
        XCTAssertEqual(try cache.contentDigest(of: copy), try cache.contentDigest(of: path), "content, not path")
    }

    func testFailedBuildLeavesNoEntryAndSuccessIsReused() throws {
        let cache = DatasetCache(root: root)
        struct Interrupted: Error {}
        XCTAssertThrowsError(try cache.entry(for: "k1", description: "x") { folder in
            try Data("partial".utf8).write(to: URL(fileURLWithPath: folder + "/data.arrow"))
            throw Interrupted()
        })
        XCTAssertNil(cache.lookup("k1"))
        XCTAssertTrue(cache.list().isEmpty)
        var builds = 0
        for _ in 0..<2 {
            let path = try cache.entry(for: "k1", description: "tokenize a.tsv") { folder in
                builds += 1
                try Data("complete".utf8).write(to: URL(fileURLWithPath: folder + "/data.arrow"))
            }
            XCTAssertEqual(try String(contentsOfFile: path + "/data.arrow", encoding: .utf8), "complete")
        }
        XCTAssertEqual(builds, 1)
        XCTAssertEqual(cache.list().map(\.description), ["tokenize a.tsv"])
        XCTAssertEqual(try cache.clear().entries, 1)
        XCTAssertNil(cache.lookup("k1"))
    }

    func testAChangedEntryIsDetectedEvictedAndRebuilt() throws {
        let cache = DatasetCache(root: root)
        var builds = 0
        func entry() throws -> String {
            try cache.entry(for: "k", description: "x") { folder in
                builds += 1
                try Data("stored bytes".utf8).write(to: URL(fileURLWithPath: folder + "/data.arrow"))
            }
        }
        let path = try entry()
        XCTAssertEqual(cache.manifest(of: path)?.keys.sorted(), ["data.arrow"])
        XCTAssertNotNil(cache.verifiedEntry("k"))
        // Same size, different bytes: only the digest can tell.
        try Data("edited bytes".utf8).write(to: URL(fileURLWithPath: path + "/data.arrow"))
        XCTAssertNil(cache.verifiedEntry("k"), "an edited entry is not served")
        XCTAssertNil(cache.lookup("k"), "and is evicted")
        XCTAssertEqual(try String(contentsOfFile: try entry() + "/data.arrow", encoding: .utf8), "stored bytes")
        XCTAssertEqual(builds, 2)
        try FileManager.default.removeItem(atPath: path + "/data.arrow")
        XCTAssertNil(cache.verifiedEntry("k"), "a missing file is detected too")
    }

    func testCopiedEntriesShareNoStorageWithTheCache() throws {
        let cache = DatasetCache(root: root)
        let path = try cache.entry(for: "k", description: "x") { folder in
            try FileManager.default.createDirectory(atPath: folder + "/train", withIntermediateDirectories: true)
            try Data("stored".utf8).write(to: URL(fileURLWithPath: folder + "/train/data.arrow"))
        }
        let out = root + "-out"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try cache.copyEntry(path, to: out)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: out + "/train/data.arrow"))
        try handle.write(contentsOf: Data("EDIT".utf8))  // in place, as an editor or a script would
        try handle.close()
        XCTAssertEqual(try String(contentsOfFile: path + "/train/data.arrow", encoding: .utf8), "stored")
        XCTAssertNotNil(cache.verifiedEntry("k"))
        XCTAssertEqual(cache.changedFile(in: out, against: try XCTUnwrap(cache.manifest(of: path))), "train/data.arrow")
    }

    func testConcurrentBuildsOfTheSameKeyBothSucceed() throws {
        let cache = DatasetCache(root: root)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let path = try cache.entry(for: "same", description: "race") { folder in
                    try Data("worker \(worker)".utf8).write(to: URL(fileURLWithPath: folder + "/data.arrow"))
                    usleep(20_000)
                }
                results.add(try String(contentsOfFile: path + "/data.arrow", encoding: .utf8))
            } catch { results.add("error: \(error)") }
        }
        XCTAssertEqual(results.values.count, 4)
        XCTAssertEqual(Set(results.values).count, 1, "all runs see the one entry that won: \(results.values)")
        XCTAssertTrue(results.values[0].hasPrefix("worker"))
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [String] = []
    func add(_ value: String) { lock.lock(); values.append(value); lock.unlock() }
}

final class CachedMapTests: XCTestCase {
    func testSecondMapIsServedFromTheCacheAndOperationChangesRecompute() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-map-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = DatasetCache(root: root)
        let dataset = Dataset(table: makeTable(rows: 25, batchRows: 10))
        let calls = CallCounter()
        func doubled(_ factor: Int64) -> @Sendable (RecordBatch) throws -> MappedColumns {
            { batch in
                calls.add()
                var builder = ColumnBuilder(.int64)
                for row in 0..<batch.count { builder.append(batch.columns[0].integer(row) * factor) }
                return MappedColumns([(Field("scaled", .int64), builder.finish())])
            }
        }
        let first = try dataset.map(operation: "scale id by 2", cache: cache, batchRows: 8, doubled(2))
        let callsAfterFirst = calls.count
        XCTAssertEqual(callsAfterFirst, 4)  // ceil(25 / 8) batches
        let second = try dataset.map(operation: "scale id by 2", cache: cache, batchRows: 8, doubled(2))
        XCTAssertEqual(calls.count, callsAfterFirst, "served from the cache")
        XCTAssertEqual(second.schema.names, ["id", "text", "label", "scaled"])
        XCTAssertEqual((0..<25).map { second.table.value(row: $0, column: 3) }, (0..<25).map { Value.int(Int64($0 * 2)) })
        XCTAssertEqual(first.table.contentFingerprint(), second.table.contentFingerprint())
        let other = try dataset.map(operation: "scale id by 3", cache: cache, batchRows: 8, doubled(3))
        XCTAssertEqual(calls.count, callsAfterFirst + 4)
        XCTAssertEqual(other.table.value(row: 24, column: 3), .int(72))
        XCTAssertNotEqual(Dataset(table: makeTable(rows: 25, batchRows: 10)).table.contentFingerprint(),
                          Dataset(table: makeTable(rows: 26, batchRows: 10)).table.contentFingerprint())
    }
}

private final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
}
