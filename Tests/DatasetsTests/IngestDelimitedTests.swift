@testable import Datasets
import DSPrepSupport
import Foundation
import XCTest

/// CSV / TSV / plain text: RFC 4180 cases, inference, overrides, batching and bad input.
/// Expected values are written by hand from RFC 4180 and the documented inference rules.
final class IngestDelimitedTests: XCTestCase {
    func testInfersInt64Float64BoolAndStringWithEmptyAsNull() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("mixed.csv", "id,name,score,flag\n1,a,1.5,true\n-2,,2,FALSE\n3,c,,\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.fields.map(\.type), [.int64, .string, .float64, .bool])
        XCTAssertEqual(table.schema.names, ["id", "name", "score", "flag"])
        XCTAssertEqual(ingestRows(table), [
            [.int(1), .string("a"), .float(1.5), .bool(true)],
            [.int(-2), .null, .float(2), .bool(false)],
            [.int(3), .string("c"), .null, .null],
        ])
    }

    func testMixingNumbersWithTextOrLeadingZerosMakesAStringColumn() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("mix.csv", "a,b,c,d,e\n1,true,99999999999999999999,0002,-0.5\nx,1,2,13,00.5\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.fields.map(\.type), [.string, .string, .string, .string, .string])
        XCTAssertEqual(ingestRows(table), [
            [.string("1"), .string("true"), .string("99999999999999999999"), .string("0002"), .string("-0.5")],
            [.string("x"), .string("1"), .string("2"), .string("13"), .string("00.5")],
        ])
    }

    func testRFC4180QuotesEscapesEmbeddedNewlinesCRLFAndBOM() throws {
        let scratch = try IngestScratch()
        let text = "\u{FEFF}name,\"note, with comma\"\r\n\"a \"\"quoted\"\" word\",\"two\r\nlines\"\r\nplain,\"\"\r\n\"x\",y"
        let path = try scratch.write("rfc.csv", text)
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema.names, ["name", "note, with comma"])
        XCTAssertEqual(ingestRows(table), [
            [.string("a \"quoted\" word"), .string("two\r\nlines")],
            [.string("plain"), .null],
            [.string("x"), .string("y")],
        ])
    }

    func testQuotedFieldsWithEscapesFitStringOverridesOnly() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("escaped.csv", "a,b\n\"say \"\"1\"\"\",\"\"\"2\"\"\"\n")
        let options = IngestOptions(columnTypes: [ColumnTypeOverride(name: "a", type: .largeString)])
        let table = try TabularReader.readTable(path: path, options: options)
        XCTAssertEqual(ingestRows(table), [[.string("say \"1\""), .string("\"2\"")]])
        assertIngestError(path, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "b", type: .int64)]),
                          contains: ["escaped.csv:2:", "column 'b'", "int64"])
    }

    func testErrorLinesArePhysicalLinesAfterMultilineFields() throws {
        let scratch = try IngestScratch()
        // Line 2 opens a field that ends on line 4; line 5 has one field too many.
        let path = try scratch.write("lines.csv", "a,b\n1,\"x\ny\nz\"\n2,3,4\n")
        assertIngestError(path, contains: ["lines.csv:5:", "3 fields", "expected 2"])
    }

    func testUnterminatedQuoteNamesTheLineWhereItOpened() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("open.csv", "a,b\n1,2\n3,\"never closed\n4,5\n")
        assertIngestError(path, contains: ["open.csv:3:3", "unterminated quoted field"])
    }

    func testTextAfterAClosingQuoteIsAnError() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("after.csv", "a,b\n\"x\"y,2\n")
        assertIngestError(path, contains: ["after.csv:2:4", "after a closing quote"])
    }

    func testRaggedRowsNameTheLineAndTheCounts() throws {
        let scratch = try IngestScratch()
        let tooMany = try scratch.write("many.csv", "a,b\n1,2\n3,4,5\n")
        assertIngestError(tooMany, contains: ["many.csv:3:", "row has 3 fields, expected 2"])
        let tooFew = try scratch.write("few.tsv", "a\tb\tc\n1\t2\t3\n\n4\t5\n")
        assertIngestError(tooFew, contains: ["few.tsv:4:", "row has 2 fields, expected 3"])
    }

    func testDuplicateColumnNamesAreAnError() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("dup.csv", "id,text,id\n1,a,2\n")
        assertIngestError(path, contains: ["dup.csv:1:", "duplicate column name 'id'", "columns 1 and 3"])
    }

    func testInvalidUTF8NamesLineAndByteOffset() throws {
        let scratch = try IngestScratch()
        var data = Data("a,b\n1,ok\n2,".utf8)
        data.append(contentsOf: [0xC3, 0x28])  // a lead byte followed by a non-continuation byte
        data.append(contentsOf: Array("\n".utf8))
        let path = try scratch.write("bad.csv", data)
        assertIngestError(path, contains: ["bad.csv:3:3 (byte 11)", "invalid UTF-8"])
    }

    func testOverlongAndSurrogateEncodingsAreInvalidUTF8() throws {
        let scratch = try IngestScratch()
        for (name, bytes) in [("overlong", [0xC0, 0xAF]), ("surrogate", [0xED, 0xA0, 0x80]), ("too-big", [0xF4, 0x90, 0x80, 0x80])] {
            let path = try scratch.write("\(name).txt", Data([UInt8(ascii: "x")] + bytes.map(UInt8.init)))
            assertIngestError(path, contains: [":1:2 (byte 1)", "invalid UTF-8"])
        }
    }

    func testNULByteIsAnErrorNamingLineAndByte() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("nul.tsv", Data("a\tb\n1\tx\u{0}y\n".utf8))
        assertIngestError(path, contains: ["nul.tsv:2:4 (byte 7)", "NUL byte"])
    }

    func testEmptyFileIsAnError() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("empty.csv", "")
        assertIngestError(path, contains: ["empty.csv", "file is empty, expected a header row"])
        let onlyBOM = try scratch.write("bom.csv", "\u{FEFF}")
        assertIngestError(onlyBOM, contains: ["file is empty, expected a header row"])
    }

    func testHeaderOnlyFileHasColumnsAndNoRows() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("header.csv", "id,text\r\n")
        let reader = try TabularReader(path: path, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "id", type: .int64)]))
        XCTAssertEqual(reader.schema, Schema([Field("id", .int64), Field("text", .string)]))
        XCTAssertEqual(reader.rowCount, 0)
        XCTAssertNil(try reader.nextBatch())
    }

    func testSixMegabyteFieldIsReadWhole() throws {
        let scratch = try IngestScratch()
        let big = String(repeating: "가나다라마바", count: 6 * 1024 * 1024 / 18)
        let path = try scratch.write("big.csv", "id,text\n1,\"\(big)\"\n2,small\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.batches[0].columns[1].string(0), big)
        XCTAssertEqual(table.value(row: 1, column: 1), .string("small"))
    }

    func testOverridesSetTypesAndRejectValuesThatDoNotFit() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("typed.tsv", "label\tscore\tdocument\n1\t0.25\t42\n007\t3\t7\n")
        let options = IngestOptions(columnTypes: try ["label:int8", "score:float32", "document:string"].map(ColumnTypeOverride.init(parsing:)))
        let table = try TabularReader.readTable(path: path, options: options)
        XCTAssertEqual(table.schema.fields.map(\.type), [.int8, .float32, .string])
        XCTAssertEqual(ingestRows(table), [[.int(1), .float(0.25), .string("42")], [.int(7), .float(3), .string("7")]])

        let bad = try scratch.write("bad.tsv", "label\tdocument\n1\tok\n1000\tok\n")
        assertIngestError(bad, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "label", type: .int8)]),
                          contains: ["bad.tsv:3:", "'1000'", "column 'label'", "int8"])
        let notNumber = try scratch.write("nan.csv", "label,document\nyes,ok\n")
        assertIngestError(notNumber, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "label", type: .int64)]),
                          contains: ["nan.csv:2:", "'yes'", "column 'label'", "int64"])
        assertIngestError(notNumber, options: IngestOptions(columnTypes: [ColumnTypeOverride(name: "nope", type: .int64)]),
                          contains: ["column 'nope'", "label, document"])
    }

    func testOverrideSpecParsing() throws {
        XCTAssertEqual(try ColumnTypeOverride(parsing: "label:int64"), ColumnTypeOverride(name: "label", type: .int64))
        XCTAssertEqual(try ColumnTypeOverride(parsing: "a:b:Float32"), ColumnTypeOverride(name: "a:b", type: .float32))
        XCTAssertThrowsError(try ColumnTypeOverride(parsing: "label"))
        XCTAssertThrowsError(try ColumnTypeOverride(parsing: "label:decimal"))
        XCTAssertEqual(try IngestOptions.parseDelimiter("\\t"), UInt8(ascii: "\t"))
        XCTAssertEqual(try IngestOptions.parseDelimiter(";"), UInt8(ascii: ";"))
        XCTAssertThrowsError(try IngestOptions.parseDelimiter("ab"))
    }

    func testTSVKeepsBareQuotesByDefaultAndCSVCanTurnQuotingOff() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("quotes.tsv", "id\tdocument\n1\t\"so-called\n2\tsays \"hi\n")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(ingestRows(table), [[.int(1), .string("\"so-called")], [.int(2), .string("says \"hi")]])

        let csv = try scratch.write("raw.csv", "a,b\n\"x,y\n")
        let unquoted = try TabularReader.readTable(path: csv, options: IngestOptions(quoting: false))
        XCTAssertEqual(ingestRows(unquoted), [[.string("\"x"), .string("y")]])
    }

    func testWithoutHeaderColumnsAreNumbered() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("rows.csv", "1;a\n2;b")
        let table = try TabularReader.readTable(path: path, options: IngestOptions(delimiter: UInt8(ascii: ";"), hasHeader: false))
        XCTAssertEqual(table.schema.names, ["column_0", "column_1"])
        XCTAssertEqual(ingestRows(table), [[.int(1), .string("a")], [.int(2), .string("b")]])
    }

    func testPlainTextIsOneRowPerLineKeepingEmptyLines() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("lines.txt", "first line, with comma\r\n\n\"quoted\"\tend\nlast")
        let table = try TabularReader.readTable(path: path)
        XCTAssertEqual(table.schema, Schema([Field("text", .string)]))
        XCTAssertEqual(ingestRows(table), [[.string("first line, with comma")], [.string("")], [.string("\"quoted\"\tend")], [.string("last")]])
    }

    func testBatchesSplitRowsAndKeepOneSchema() throws {
        let scratch = try IngestScratch()
        let path = try scratch.write("five.csv", "n,x\n1,a\n2,b\n3,c\n4,d\n5,e\n")
        let reader = try TabularReader(path: path)
        XCTAssertEqual(reader.rowCount, 5)
        var counts: [Int] = []
        var numbers: [Value] = []
        while let batch = try reader.nextBatch(maxRows: 2) {
            XCTAssertEqual(batch.schema, reader.schema)
            counts.append(batch.count)
            numbers += (0..<batch.count).map { batch.columns[0].value($0) }
        }
        XCTAssertEqual(counts, [2, 2, 1])
        XCTAssertEqual(numbers, (1...5).map { .int(Int64($0)) })
        XCTAssertEqual(reader.bytesRead, reader.byteCount)
    }

    func testFormatComesFromTheExtension() throws {
        XCTAssertEqual(IngestFormat.detect(fromPath: "/a/b.TSV"), .tsv)
        XCTAssertEqual(IngestFormat.detect(fromPath: "x.ndjson"), .jsonl)
        XCTAssertEqual(IngestFormat.detect(fromPath: "x.txt"), .text)
        XCTAssertNil(IngestFormat.detect(fromPath: "dir.csv/file"))
        let scratch = try IngestScratch()
        let path = try scratch.write("data.dat", "a\n")
        assertIngestError(path, contains: ["data.dat", "cannot tell the file's format"])
        let table = try TabularReader.readTable(path: path, options: IngestOptions(format: .csv))
        XCTAssertEqual(table.schema.names, ["a"])
    }
}

/// Random inputs built from the bytes that matter to the parsers: every read must end in rows
/// or an `InputError`, never a trap.
final class IngestRandomInputTests: XCTestCase {
    func testRandomInputsGiveRowsOrInputErrors() throws {
        let scratch = try IngestScratch()
        let alphabet: [UInt8] = Array("\",\t\n\r a1.-e{}[]:\\u\"0".utf8) + [0xFF, 0xE0, 0xA0, 0xEA, 0xB0, 0x80, 0x00]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            // xorshift64: a fixed sequence, so a failure names a reproducible case.
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let formats: [IngestFormat] = [.csv, .tsv, .jsonl, .json, .text]
        for round in 0..<400 {
            let length = Int(next() % 40)
            var bytes = (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            if round % 3 == 0 { bytes = Array("{\"a\":".utf8) + bytes }
            let path = try scratch.write("case-\(round)", Data(bytes))
            for format in formats {
                do {
                    let table = try TabularReader.readTable(path: path, options: IngestOptions(format: format), batchRows: 2)
                    _ = ingestRows(table)
                } catch is InputError {
                    continue
                } catch {
                    XCTFail("case \(round) as \(format): unexpected \(error) for bytes \(bytes)")
                }
            }
        }
    }
}
