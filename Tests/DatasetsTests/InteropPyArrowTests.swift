import DSPrepSupport
@testable import Datasets
import Foundation
import TestSupport
import XCTest

/// Arrow IPC streams checked against pyarrow (`tools/oracles/arrow_peer.py`).
final class InteropPyArrowTests: XCTestCase {
    func testPyArrowReadsWhatWeWriteWithIdenticalTypesAndValues() throws {
        _ = try TestEnvironment.requirePython()
        let path = try makeTemporaryFolder(self) + "/ours.arrow"
        let writer = try ArrowStreamWriter(path: path, schema: ArrowFixtures.schema, metadata: ["huggingface": "{}", "키": "값"])
        let batches = [try ArrowFixtures.batch(start: 0, rows: 40), try ArrowFixtures.batch(start: 40, rows: 0),
                       try ArrowFixtures.batch(start: 40, rows: 25)]
        for batch in batches { try writer.write(batch) }
        try writer.finish()

        let printed = try ArrowPeer.run("dump-stream", path)
        XCTAssertEqual(ArrowPeer.printedTypes(printed), ArrowFixtures.schema.fields.map(\.type.description))
        XCTAssertEqual((printed["schema"] as? [[String: Any]])?.map { $0["nullable"] as? Bool },
                       ArrowFixtures.schema.fields.map(\.nullable))
        XCTAssertEqual(printed["metadata"] as? [String: String], ["huggingface": "{}", "키": "값"])
        XCTAssertEqual(printed["batch_rows"] as? [Int], [40, 0, 25])
        ArrowPeer.assertSameColumns(Table(schema: ArrowFixtures.schema, batches: batches), printed)
    }

    func testWeReadWhatPyArrowWrites() throws {
        let path = try makeTemporaryFolder(self) + "/theirs.arrow"
        let printed = try ArrowPeer.run("make-stream", "multi", path)
        let reader = try ArrowStreamReader(path: path)
        XCTAssertEqual(reader.schema.fields.map(\.type.description), ArrowPeer.printedTypes(printed))
        let table = Table(schema: reader.schema, batches: try reader.readAll())
        XCTAssertEqual(table.batches.map(\.count), printed["batch_rows"] as? [Int])
        ArrowPeer.assertSameColumns(table, printed)
    }

    func testWeReadArrowsRandomAccessFileFormatToo() throws {
        let path = try makeTemporaryFolder(self) + "/theirs.arrow"
        let printed = try ArrowPeer.run("make-stream", "file", path)
        ArrowPeer.assertSameColumns(try ArrowStreamReader.readTable(path: path), printed)
    }

    func testUnsupportedStreamsGiveErrorsNamingFileAndField() throws {
        let folder = try makeTemporaryFolder(self)
        let cases = [
            ("timestamp", ["'when'", "Timestamp"]), ("dictionary", ["'city'", "dictionary"]), ("struct", ["'point'", "Struct"]),
            ("uint32", ["'count'", "uint32"]), ("zstd", ["compressed"]),
        ]
        let printed = try ArrowPeer.run("make-bad-streams", folder)
        XCTAssertEqual(printed["kinds"] as? [String], cases.map(\.0))
        for (kind, mentions) in cases {
            let path = folder + "/\(kind).arrow"
            XCTAssertThrowsError(try ArrowStreamReader.readTable(path: path), kind) { error in
                XCTAssertTrue(error is InputError, kind)
                for part in mentions + [path] { XCTAssertTrue("\(error)".contains(part), "\(kind): \(error) should mention \(part)") }
            }
        }
    }
}
