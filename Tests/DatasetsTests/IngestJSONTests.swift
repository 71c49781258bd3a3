@testable import Datasets
import DSPrepSupport
import Foundation
import XCTest

/// JSON Lines and JSON arrays: key union, lists, escapes and broken input. Expected values are
/// written by hand from RFC 8259 and the documented inference rules.
final class IngestJSONTests: XCTestCase {
    func testKeysAreUnitedInFirstAppearanceOrderAndMissingKeysAreNull() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("rows.jsonl", """
            {"id": 1, "text": "가나", "score": 0.5}

            {"text": "", "id": 2, "flag": true, "score": 2}
            {"id": 3, "score": null}
            """)
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema, Schema([Field("id", .int64), Field("text", .string), Field("score", .float64), Field("flag", .bool)]))
        XCTAssertEqual(ingestRows(table), [
            [.int(1), .string("가나"), .float(0.5), .null],
            [.int(2), .string(""), .float(2), .bool(true)],
            [.int(3), .null, .null, .null],
        ])
    }

    func testListsOfNumbersAndStrings() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("lists.jsonl", """
            {"ids": [1, 2, 3], "weights": [1, 0.5], "tokens": ["a", "b"]}
            {"ids": [], "weights": [2], "tokens": ["c", 7]}
            {"ids": null}
            """)
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.fields.map(\.type), [.list(.int64), .list(.float64), .list(.string)])
        XCTAssertEqual(ingestRows(table), [
            [.list([.int(1), .int(2), .int(3)]), .list([.float(1), .float(0.5)]), .list([.string("a"), .string("b")])],
            [.list([]), .list([.float(2)]), .list([.string("c"), .string("7")])],
            [.null, .null, .null],
        ])
    }

    func testEscapesIncludingSurrogatePairs() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("escapes.jsonl", #"{"t": "a\"b\\c\/d\n\t\u00e9\uAC00\ud83d\ude00", "k\u0065y": 1}"#)
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.names, ["t", "key"])
        XCTAssertEqual(table.value(row: 0, column: 0), .string("a\"b\\c/d\n\té가😀"))
    }

    func testJSONArrayOfObjectsAcrossLines() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("rows.json", "\u{FEFF}[\n  {\"a\": 1, \"b\": \"x\"},\n  {\"a\": -2.5e1,\n   \"b\": \"y\"}\n]\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.fields.map(\.type), [.float64, .string])
        XCTAssertEqual(ingestRows(table), [[.float(1), .string("x")], [.float(-25), .string("y")]])
    }

    func testMixedScalarsBecomeTheirJSONText() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("mixed.jsonl", "{\"v\": 1}\n{\"v\": \"two\"}\n{\"v\": true}\n{\"v\": 1.50}\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema, Schema([Field("v", .string)]))
        XCTAssertEqual(ingestRows(table), [[.string("1")], [.string("two")], [.string("true")], [.string("1.50")]])
    }

    func testBrokenJSONLineNamesLineAndColumn() throws {
        let scratch = try IngestScratch()
        let missingComma = try scratch.write("comma.jsonl", "{\"a\": 1}\n{\"a\": 2 \"b\": 3}\n")
        assertIngestError(missingComma, contains: ["comma.jsonl:2:9", "expected ',' or '}'"])
        let cutOff = try scratch.write("cut.jsonl", "{\"a\": 1}\n{\"a\": \n{\"a\": 3}\n")
        assertIngestError(cutOff, contains: ["cut.jsonl:2:7", "expected a value, found the end of the line"])
        let openString = try scratch.write("string.jsonl", "{\"a\": \"abc\n")
        assertIngestError(openString, contains: ["string.jsonl:1:11", "unterminated string"])
        let twoObjects = try scratch.write("two.jsonl", "{\"a\": 1} {\"a\": 2}\n")
        assertIngestError(twoObjects, contains: ["two.jsonl:1:10", "end of the line"])
        let badNumber = try scratch.write("number.jsonl", "{\"a\": 01}\n")
        assertIngestError(badNumber, contains: ["number.jsonl:1:7", "leading zero"])
        let notObject = try scratch.write("array.jsonl", "[1, 2]\n")
        assertIngestError(notObject, contains: ["array.jsonl:1:1", "expected a JSON object"])
        let unclosedArray = try scratch.write("open.json", "[{\"a\": 1},\n{\"a\": 2}\n")
        assertIngestError(unclosedArray, contains: ["open.json:3:", "expected ',' or ']'"])
    }

    func testInvalidEscapesAndLoneSurrogatesAreErrors() throws {
        let scratch = try IngestScratch()
        let lone = try scratch.write("lone.jsonl", #"{"a": "x\ud83dy"}"#)
        assertIngestError(lone, contains: ["lone.jsonl:1:9", "high surrogate"])
        let low = try scratch.write("low.jsonl", #"{"a": "\ude00"}"#)
        assertIngestError(low, contains: ["low.jsonl:1:8", "low surrogate"])
        let unknown = try scratch.write("escape.jsonl", #"{"a": "\x41"}"#)
        assertIngestError(unknown, contains: ["escape.jsonl:1:8", "invalid escape"])
    }

    func testNestedObjectsDuplicateKeysAndListScalarMixesAreErrors() throws {
        let scratch = try IngestScratch()
        let nested = try scratch.write("nested.jsonl", "{\"a\": 1}\n{\"a\": {\"b\": 2}}\n")
        assertIngestError(nested, contains: ["nested.jsonl:2:", "nested object in column 'a'"])
        let duplicate = try scratch.write("dup.jsonl", "{\"a\": 1, \"a\": 2}\n")
        assertIngestError(duplicate, contains: ["dup.jsonl:1:10", "duplicate key 'a'"])
        let mixed = try scratch.write("mix.jsonl", "{\"a\": [1]}\n{\"a\": 2}\n")
        assertIngestError(mixed, contains: ["mix.jsonl:2:", "lists in some rows"])
        let deep = try scratch.write("deep.jsonl", "{\"a\": [[1]]}\n")
        assertIngestError(deep, contains: ["deep.jsonl:1:8", "nested array or object inside a list"])
    }

    func testEmptyInputsAreErrors() throws {
        let scratch = try IngestScratch()
        assertIngestError(try scratch.write("blank.jsonl", "\n \n"), contains: ["file is empty"])
        assertIngestError(try scratch.write("none.json", " [ ] "), contains: ["the array has no objects"])
        assertIngestError(try scratch.write("empty.json", ""), contains: ["file is empty"])
    }

    func testOverriddenTypesAreCheckedAndConverted() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("typed.jsonl", "{\"label\": 1, \"score\": 2}\n{\"label\": \"0\", \"score\": 0.5}\n")
        let options = IngestOptions(columnTypes: [ColumnTypeOverride(name: "label", type: .int32), ColumnTypeOverride(name: "score", type: .string)])
        let table = try TabularReader.readTable(path: path, options: options)
        XCTAssertEqual(table.schema.fields.map(\.type), [.int32, .string])
        XCTAssertEqual(ingestRows(table), [[.int(1), .string("2")], [.int(0), .string("0.5")]])

        let bad = try scratch.write("bad.jsonl", "{\"label\": 1}\n{\"label\": 1.5}\n")
        assertIngestError(bad, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "label", type: .int64)]),
                          contains: ["bad.jsonl:2:", "'1.5'", "column 'label'", "int64"])
    }
}
