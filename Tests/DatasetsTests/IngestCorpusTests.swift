@testable import Datasets
import DSPrepSupport
import Foundation
import TestSupport
import XCTest

/// Reads NSMC from ../shared and checks every row against Python's `csv` module reading the
/// same file with `quoting=csv.QUOTE_NONE` (the way ../shared/data/README.md says to read it).
final class IngestCorpusTests: XCTestCase {
    /// Python's reading of the file: one JSON array of [id, document, label] per row.
    private static let pythonReader = """
        import csv, json, sys
        csv.field_size_limit(1 << 30)
        with open(sys.argv[1], newline="", encoding="utf-8") as source:
            rows = list(csv.reader(source, delimiter="\\t", quoting=csv.QUOTE_NONE))
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump({"header": rows[0], "rows": rows[1:]}, out, ensure_ascii=False)
        """

    func testNSMCTrainMatchesPythonCSVModule() throws {
        let path = try TestEnvironment.requireShared().appendingPathComponent("data/nsmc/train.tsv").path
        _ = try TestEnvironment.requirePython()

        let reader = try TabularReader(path: path)
        XCTAssertEqual(reader.format, .tsv)
        XCTAssertEqual(reader.schema, Schema([Field("id", .int64), Field("document", .string), Field("label", .int64)]))
        XCTAssertEqual(reader.rowCount, 150_000)
        var ids: [Int64] = []
        var documents: [String] = []
        var labels: [Int64] = []
        while let batch = try reader.nextBatch(maxRows: 65536) {
            for row in 0..<batch.count {
                ids.append(batch.columns[0].integer(row))
                // An empty field is null in dsprep and "" in Python's csv module.
                documents.append(batch.columns[1].isNull(row) ? "" : batch.columns[1].string(row))
                labels.append(batch.columns[2].integer(row))
            }
        }
        XCTAssertEqual(ids.count, 150_000)

        let scratch = try IngestScratch()
        let output = scratch.directory.appendingPathComponent("rows.json").path
        try PythonPeer.run(["-c", Self.pythonReader, path, output])

        let decoded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
        let reference = try XCTUnwrap(decoded as? [String: Any])
        XCTAssertEqual(reference["header"] as? [String], ["id", "document", "label"])
        let rows = try XCTUnwrap(reference["rows"] as? [[String]])
        XCTAssertEqual(rows.count, ids.count)
        var mismatches = 0
        // Bytes, not String equality: String compares canonically equivalent texts as equal.
        for (index, row) in rows.enumerated() where index < ids.count {
            let same = row.count == 3 && row[0] == String(ids[index]) && row[1].utf8.elementsEqual(documents[index].utf8) && row[2] == String(labels[index])
            if !same {
                mismatches += 1
                if mismatches <= 3 { XCTFail("row \(index + 1) differs: python \(row), dsprep \([String(ids[index]), documents[index], String(labels[index])])") }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}
