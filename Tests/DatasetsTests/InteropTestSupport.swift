@testable import Datasets
import DSPrepSupport
import Foundation
import TestSupport
import XCTest

/// Runs `tools/oracles/arrow_peer.py` with the reference venv's Python and parses its JSON.
enum ArrowPeer {
    static func run(_ arguments: String...) throws -> [String: Any] { try run(arguments) }

    static func run(_ arguments: [String]) throws -> [String: Any] {
        guard let json = try PythonPeer.json([PythonPeer.tool("oracles/arrow_peer.py")] + arguments) as? [String: Any] else {
            throw PythonPeer.Failure(description: "arrow_peer.py printed no JSON object")
        }
        return json
    }

    /// A value printed by Python's json, read as the `Value` a column of `type` holds (floats come
    /// as repr strings, which `Double(String)` reads exactly).
    static func value(_ json: Any, as type: DataType) -> Value {
        if json is NSNull { return .null }
        switch type {
        case .bool: return (json as? Bool).map(Value.bool) ?? .string("\(json)")
        case .int8, .int16, .int32, .int64: return (json as? NSNumber).map { .int($0.int64Value) } ?? .string("\(json)")
        case .float32, .float64: return (json as? String).flatMap(Double.init).map(Value.float) ?? .string("\(json)")
        case .string, .largeString: return (json as? String).map(Value.string) ?? .string("\(json)")
        case .list(let element), .largeList(let element):
            return (json as? [Any]).map { .list($0.map { value($0, as: element) }) } ?? .string("\(json)")
        }
    }

    /// Checks that `table` holds exactly the columns Python printed (`{"columns": {name: [...]}}`).
    static func assertSameColumns(_ table: Table, _ printed: [String: Any], file: StaticString = #filePath, line: UInt = #line) {
        guard let columns = printed["columns"] as? [String: [Any]] else {
            return XCTFail("no columns in the peer's output", file: file, line: line)
        }
        XCTAssertEqual(Set(columns.keys), Set(table.schema.names), file: file, line: line)
        for (index, field) in table.schema.fields.enumerated() {
            let expected = (columns[field.name] ?? []).map { value($0, as: field.type) }
            let actual = (0..<table.count).map { table.value(row: $0, column: index) }
            XCTAssertEqual(actual.count, expected.count, "rows of \(field.name)", file: file, line: line)
            if let row = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("column \(field.name) row \(row): ours \(actual[row]), Python \(expected[row])", file: file, line: line)
            }
        }
    }

    /// pyarrow's spelling of each column type, as printed in `{"schema": [{"name", "type"}]}`.
    static func printedTypes(_ printed: [String: Any]) -> [String] {
        ((printed["schema"] as? [[String: Any]]) ?? []).map { $0["type"] as? String ?? "?" }
    }
}

/// A fresh temporary folder removed when the test ends.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-arrow-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Writes bytes to a file with plain stdio (Foundation's `Data.write` is slow for many small files).
func writeBytes(_ bytes: [UInt8], to path: String) throws {
    guard let file = fopen(path, "wb") else { throw InputError("cannot create \(path)") }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw InputError("cannot write \(path)") }
}
