import DSPrepSupport
import Foundation
import XCTest

final class JSONValueCodingTests: XCTestCase {
    private struct Record: Codable, Equatable {
        enum Kind: String, Codable { case plan, shard }
        var name: String
        var kind: Kind
        var rows: Int
        var seed: UInt64
        var ratio: Float
        var seconds: Double
        var note: String?
        var ranges: [[Int]]
        var nested: [String: Bool]
    }

    private let record = Record(name: "한국어 \"quoted\"", kind: .shard, rows: 150_000, seed: 9_007_199_254_740_991, ratio: 0.1,
                                seconds: 1.25, note: nil, ranges: [[0, 10], [10, 20]], nested: ["b": true, "a": false])

    func testRoundTripThroughTheFileText() throws {
        let text = try JSONValueEncoder().text(record)
        let decoded = try JSONValueDecoder().decode(Record.self, from: Data(text.utf8), path: "record.json")
        XCTAssertEqual(decoded, record)
        // Float as its shortest decimal, keys sorted, absent optionals left out, non-ASCII escaped as Python's json.dumps.
        XCTAssertTrue(text.contains("\"ratio\": 0.1,"), text)
        XCTAssertFalse(text.contains("note"), text)
        XCTAssertTrue(text.contains("\\ud55c\\uad6d\\uc5b4 \\\"quoted\\\""), text)
        let keys = try JSONValue.parse(text, path: "record.json").objectValue?.map(\.0)
        XCTAssertEqual(keys, ["kind", "name", "nested", "ranges", "ratio", "rows", "seconds", "seed"])
    }

    /// Foundation's reader is the independent check that the text is JSON with the same values.
    func testTextReadsTheSameInFoundation() throws {
        let text = try JSONValueEncoder().text(record)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, record.name)
        XCTAssertEqual((object["seed"] as? NSNumber)?.uint64Value, record.seed)
        XCTAssertEqual(object["ranges"] as? [[Int]], record.ranges)
    }

    func testIntegersBeyondTheExactRangeAreErrorsBothWays() throws {
        var large = record
        large.seed = 9_007_199_254_740_992
        XCTAssertThrowsError(try JSONValueEncoder().encode(large)) { error in
            XCTAssertTrue("\(error)".contains("2^53"), "\(error)")
        }
        // 2^53 + 1 reads as the same Double as 2^53: refused, not rounded.
        let text = try JSONValueEncoder().text(record).replacingOccurrences(of: "9007199254740991", with: "9007199254740993")
        XCTAssertThrowsError(try JSONValueDecoder().decode(Record.self, from: Data(text.utf8), path: "record.json")) { error in
            XCTAssertEqual((error as? InputError)?.message.hasPrefix("seed: expected a whole number that UInt64 holds exactly"), true, "\(error)")
        }
    }

    func testErrorsNameTheFileAndTheKeyOrTheLine() throws {
        let wrongType = #"{"name": "x", "kind": "plan", "rows": "many", "seed": 1, "ratio": 1, "seconds": 1, "ranges": [], "nested": {}}"#
        XCTAssertThrowsError(try JSONValueDecoder().decode(Record.self, from: Data(wrongType.utf8), path: "r.json")) { error in
            XCTAssertEqual("\(error)", "r.json: rows: expected a number, found a string")
        }
        let missing = #"{"name": "x", "kind": "plan", "rows": 1, "seed": 1, "ratio": 1, "seconds": 1, "ranges": [[1, "a"]]}"#
        XCTAssertThrowsError(try JSONValueDecoder().decode(Record.self, from: Data(missing.utf8), path: "r.json")) { error in
            XCTAssertEqual("\(error)", "r.json: ranges[0][1]: expected a number, found a string")
        }
        let broken = "{\n  \"name\": \"x\",\n  \"rows\": 1,,\n}"
        XCTAssertThrowsError(try JSONValueDecoder().decode(Record.self, from: Data(broken.utf8), path: "r.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("r.json:3:"), "\(error)")
        }
    }

    func testMemberAssignmentReplacesInPlaceAndRemoves() {
        var document: JSONValue = .object([("a", .number(1)), ("b", .number(2))])
        document["a"] = .string("x")
        document["c"] = .null
        document["b"] = nil
        XCTAssertEqual(document, .object([("a", .string("x")), ("c", .null)]))
    }
}
