@testable import Datasets
import DSPrepSupport
import Foundation
import XCTest

/// Writes ingest inputs into a fresh temporary directory and reads them back.
final class IngestScratch {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    func write(_ name: String, _ data: Data) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Every row of a table as generic values.
func ingestRows(_ table: Table) -> [[Value]] {
    (0..<table.count).map { table.row($0) }
}

/// Asserts that reading `path` fails with an `InputError` whose text contains every fragment.
func assertIngestError(
    _ path: String, options: IngestOptions = IngestOptions(), contains fragments: [String],
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try TabularReader.readTable(path: path, options: options), file: file, line: line) { error in
        guard let inputError = error as? InputError else {
            return XCTFail("expected an InputError, got \(error)", file: file, line: line)
        }
        let text = inputError.description
        for fragment in fragments where !text.contains(fragment) {
            XCTFail("error \"\(text)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}
