import Foundation
import TestSupport
import XCTest

/// Inputs that are pipes, not files (`dsprep encode <(zcat docs.gz)`): they cannot be memory-mapped,
/// so they are read into memory, and must give what the same bytes in a regular file give.
final class StreamInputTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws { work = try TestEnvironment.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    private var sample: URL { TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv") }

    /// A named pipe at `name` that a background writer fills with `bytes` once a reader opens it.
    private func pipe(_ name: String, _ bytes: Data) throws -> String {
        let path = work.appendingPathComponent(name).path
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        DispatchQueue.global().async {
            guard let writer = FileHandle(forWritingAtPath: path) else { return }
            writer.write(bytes)
            try? writer.close()
        }
        return path
    }

    func testEncodeReadsAPipeLikeAFile() throws {
        let tokenizer = TestEnvironment.repositoryRoot.appendingPathComponent("vocab/dsprep-ko-wordpiece-16k.json").path
        let fromFile = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, sample.path])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(fromFile.stdout.split(separator: "\n", omittingEmptySubsequences: false).count, 3002)  // header, 3000 rows, end
        let fromPipe = try DSPrepBinary.run(["encode", "--tokenizer", tokenizer, try pipe("docs.txt", try Data(contentsOf: sample))])
        XCTAssertEqual(fromPipe.status, 0, fromPipe.stderr)
        XCTAssertEqual(fromPipe.stdout, fromFile.stdout)
    }

    /// Ingest reads its input twice (types, then batches) and hands finished pages of a file map
    /// back to the kernel; a pipe's bytes held in memory must survive both passes.
    func testIngestReadsAPipeLikeAFile() throws {
        let fromFile = work.appendingPathComponent("from-file").path
        let fromPipe = work.appendingPathComponent("from-pipe").path
        let first = try DSPrepBinary.run(["ingest", sample.path, "--out", fromFile, "--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try DSPrepBinary.run(["ingest", try pipe("train.tsv", try Data(contentsOf: sample)), "--out", fromPipe, "--quiet"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let data = "/data-00000-of-00001.arrow"
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: fromPipe + data)), try Data(contentsOf: URL(fileURLWithPath: fromFile + data)))
    }

    /// tokenize keys its cache on the input's content, so it reads an input twice: a pipe is
    /// copied beside the output first (and the copy removed), giving the file's shards. Without
    /// --out there is no name to call the output after: a clear error.
    func testTokenizeReadsAPipeLikeAFile() throws {
        let fromFile = work.appendingPathComponent("from-file").path
        let fromPipe = work.appendingPathComponent("from-pipe").path
        let first = try DSPrepBinary.run(["tokenize", sample.path, "--out", fromFile, "--quiet"],
                                         environment: ["DSPREP_CACHE": work.appendingPathComponent("cache-file").path])
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try DSPrepBinary.run(["tokenize", try pipe("train.tsv", try Data(contentsOf: sample)), "--out", fromPipe, "--quiet"],
                                          environment: ["DSPREP_CACHE": work.appendingPathComponent("cache-pipe").path])
        XCTAssertEqual(second.status, 0, second.stderr)
        let data = "/data-00000-of-00001.arrow"
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: fromPipe + data)), try Data(contentsOf: URL(fileURLWithPath: fromFile + data)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("spool") }, [])

        let input = try pipe("named-after.tsv", try Data(contentsOf: sample))
        let unnamed = try DSPrepBinary.run(["tokenize", input, "--quiet"])
        XCTAssertNotEqual(unnamed.status, 0)
        XCTAssertTrue(unnamed.stderr.contains("named-after.tsv") && unnamed.stderr.contains("--out"), unnamed.stderr)
        // Unblock the writer, which waits for a reader.
        _ = FileHandle(forReadingAtPath: input)?.readDataToEndOfFile()
    }
}
