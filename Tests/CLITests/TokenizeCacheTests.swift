import Foundation
import TestSupport
import XCTest

/// `dsprep tokenize` outputs are independent of the cache, and a cache hit serves only what was
/// stored: editing an output never reaches the cache, and an edited cache entry is detected,
/// evicted and recomputed.
final class TokenizeCacheTests: XCTestCase {
    private var work: URL!
    private var cache: String { work.appendingPathComponent("cache").path }
    private let dataFile = "data-00000-of-00001.arrow"

    override func setUpWithError() throws {
        work = try TestEnvironment.temporaryDirectory()
        var rows = ["document\tlabel"]
        for index in 0..<30 { rows.append(["영화가 좋다.", "별로", "좋다 영화"][index % 3] + "\t\(index % 2)") }
        try (rows.joined(separator: "\n") + "\n").write(toFile: path("reviews.tsv"), atomically: true, encoding: .utf8)
        try TinyVocabulary.write(to: path("vocab.txt"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    @discardableResult
    private func tokenize(_ out: String, _ extra: [String] = []) throws -> ProcessResult {
        let result = try DSPrepBinary.run(["tokenize", path("reviews.tsv"), "--tokenizer", path("vocab.txt"), "--out", path(out)] + extra,
                                          environment: ["DSPREP_CACHE": cache])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result
    }

    private func bytes(_ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file)) }

    /// Overwrites a few bytes in the middle of `file`, in place (same inode, same size).
    private func editInPlace(_ file: String) throws {
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: file))
        try handle.seek(toOffset: 200)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 16))
        try handle.close()
    }

    func testEditingAnOutputLeavesTheCacheAndLaterRunsIntact() throws {
        try tokenize("reference", ["--no-cache", "--quiet"])
        let reference = try bytes(path("reference/" + dataFile))
        try tokenize("first")
        try editInPlace(path("first/" + dataFile))
        XCTAssertNotEqual(try bytes(path("first/" + dataFile)), reference)

        let second = try tokenize("second")
        XCTAssertTrue(second.stdout.contains("from the cache"), second.stdout)
        XCTAssertEqual(try bytes(path("second/" + dataFile)), reference, "the cache was not reached by the edit")
        try tokenize("first")
        XCTAssertEqual(try bytes(path("first/" + dataFile)), reference, "an edited output is rewritten, not taken as up to date")
    }

    func testAnEditedCacheEntryIsDetectedAndRecomputed() throws {
        try tokenize("first")
        let reference = try bytes(path("first/" + dataFile))
        let entries = cache + "/entries"
        let keys = try FileManager.default.contentsOfDirectory(atPath: entries).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(keys.count, 1)
        let stored = entries + "/" + keys[0] + "/" + dataFile
        try editInPlace(stored)

        let second = try tokenize("second")
        XCTAssertTrue(second.stderr.contains("changed after it was stored"), second.stderr)
        XCTAssertEqual(try bytes(path("second/" + dataFile)), reference)
        XCTAssertEqual(try bytes(stored), reference, "the entry was rebuilt")
        let third = try tokenize("third")
        XCTAssertFalse(third.stderr.contains("changed"), third.stderr)
    }
}
