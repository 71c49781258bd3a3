import Foundation
import TestSupport
import XCTest

/// Interrupted runs leave no hidden temporary folders: SIGINT/SIGTERM remove them at once, and
/// what a kill -9 leaves is swept by the next run writing to the same place (only names of
/// dsprep's own form, and only when their process is gone).
final class InterruptedRunTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try TestEnvironment.temporaryDirectory()
        try TinyVocabulary.write(to: path("vocab.txt"))
        try "document\tlabel\n영화가 좋다.\t1\n별로\t0\n".write(toFile: path("reviews.tsv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    private func temporaryEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains(".tmp-") }.sorted()
    }

    /// Starts `tokenize` on a FIFO and returns once dsprep is blocked reading it, holding its
    /// temporary copy folder (no sleeping: it waits for the folder to exist).
    private func startTokenizeBlockedOnPipe() throws -> (process: Process, writer: FileHandle) {
        let fifo = path("stream.tsv")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let process = Process()
        process.executableURL = DSPrepBinary.url
        process.arguments = ["tokenize", fifo, "--tokenizer", path("vocab.txt"), "--out", path("out"), "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(["DSPREP_CACHE": path("cache")]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Opening the write end returns once dsprep opened the read end, i.e. its copy folder exists.
        let writer = try XCTUnwrap(FileHandle(forWritingAtPath: fifo))
        writer.write(Data("document\tlabel\n영화\t1\n".utf8))
        let deadline = Date().addingTimeInterval(60)
        while try temporaryEntries().isEmpty, Date() < deadline { usleep(10_000) }
        XCTAssertFalse(try temporaryEntries().isEmpty, "dsprep holds a temporary folder while it reads the pipe")
        return (process, writer)
    }

    func testSIGINTAndSIGTERMRemoveTheTemporaryFolders() throws {
        for signal in [SIGINT, SIGTERM] {
            let (process, writer) = try startTokenizeBlockedOnPipe()
            // A safety net only: a dsprep that ignored the signal would hang the suite (and fails below).
            DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            try writer.close()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "dies of the signal")
            XCTAssertEqual(process.terminationStatus, signal)
            XCTAssertEqual(try temporaryEntries(), [], "signal \(signal)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")))
            try FileManager.default.removeItem(atPath: path("stream.tsv"))
        }
    }

    func testLeftoversOfAKilledRunAreSweptByTheNextRun() throws {
        let (process, writer) = try startTokenizeBlockedOnPipe()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try writer.close()
        let left = try temporaryEntries()
        XCTAssertEqual(left.count, 1, "kill -9 leaves the copy folder: \(left)")
        let result = try DSPrepBinary.run(["tokenize", path("reviews.tsv"), "--tokenizer", path("vocab.txt"), "--out", path("out"), "--quiet"],
                                          environment: ["DSPREP_CACHE": path("cache")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try temporaryEntries(), [])
    }

    func testOnlyDsprepNamedFoldersOfDeadProcessesAreSwept() throws {
        // A pid above Linux's pid_max (2^22) is never a running process.
        let dead = ".ingested.tmp-2147483000-17", deadAside = ".ingested.tmp-2147483000-18.old"
        let live = ".ingested.tmp-\(getpid())-19", otherName = ".other.tmp-2147483000-20", notOurs = ".ingested.tmp-backup"
        for name in [dead, deadAside, live, otherName, notOurs] {
            try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: path(name + "/file")))
        }
        let result = try DSPrepBinary.run(["ingest", path("reviews.tsv"), "--out", path("ingested"), "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try temporaryEntries(), [notOurs, otherName, live].sorted())
    }
}
