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
