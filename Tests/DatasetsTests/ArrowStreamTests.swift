import DSPrepSupport
@testable import Datasets
import Foundation
import XCTest

final class ArrowStreamTests: XCTestCase {
    private func writeStream(_ batches: [RecordBatch], metadata: [String: String] = [:]) throws -> String {
        let path = try makeTemporaryFolder(self) + "/stream.arrow"
        let writer = try ArrowStreamWriter(path: path, schema: ArrowFixtures.schema, metadata: metadata)
        for batch in batches { try writer.write(batch) }
        try writer.finish()
        return path
    }

    func testEveryTypeWithNullsRoundTripsInSeveralBatches() throws {
        let batches = [try ArrowFixtures.batch(start: 0, rows: 37), try ArrowFixtures.batch(start: 37, rows: 0),
                       try ArrowFixtures.batch(start: 37, rows: 130)]
        let path = try writeStream(batches, metadata: ["huggingface": "{\"info\": {}}", "note": "값"])
        let reader = try ArrowStreamReader(path: path)
        XCTAssertEqual(reader.schema, ArrowFixtures.schema)
        XCTAssertEqual(reader.metadata, ["huggingface": "{\"info\": {}}", "note": "값"])
        let read = try reader.readAll()
        XCTAssertEqual(read.map(\.count), [37, 0, 130])
        XCTAssertEqual(read.map { $0.columns.map(\.nullCount) }, batches.map { $0.columns.map(\.nullCount) })
        XCTAssertEqual(ArrowFixtures.rows(Table(schema: reader.schema, batches: read)), ArrowFixtures.expectedRows(0..<167))
        XCTAssertNil(try reader.next(), "the stream ends after its batches")
    }

    func testEveryBufferIsEightByteAligned() throws {
        let path = try writeStream([try ArrowFixtures.batch(start: 3, rows: 11)])
        let reader = try ArrowStreamReader(path: path)
        let batch = try XCTUnwrap(try reader.next())
        func check(_ column: Column) {
            for buffer in [column.validity, column.offsets, column.values].compactMap({ $0 }) where buffer.count > 0 {
                XCTAssertEqual(Int(bitPattern: buffer.bytes.baseAddress) % 8, 0, "\(column.type)")
            }
            column.children.forEach(check)
        }
        batch.columns.forEach(check)
        XCTAssertEqual(reader.file.bytes.count % 8, 0)
    }

    func testOffsetsThatDoNotStartAtZeroAreRebasedOnWrite() throws {
        // A string column whose offsets point into the middle of its values, and a list column
        // over the middle of its child: what a zero-copy slice of a column looks like.
        func buffer<T>(_ values: [T]) -> ByteBuffer {
            var growable = GrowableBuffer()
            for value in values { growable.append(value) }
            return growable.finish()
        }
        let text = Column(type: .string, count: 2, nullCount: 0, validity: nil, offsets: buffer([Int32(2), 4, 8]),
                          values: buffer(Array("xxabcdefzz".utf8)))
        let child = Column(type: .int32, count: 5, nullCount: 0, validity: nil, offsets: nil, values: buffer([Int32(9), 1, 2, 3, 9]))
        let list = Column(type: .largeList(.int32), count: 2, nullCount: 0, validity: nil, offsets: buffer([Int64(1), 3, 4]),
                          values: nil, children: [child])
        let schema = Schema([Field("text", .string), Field("ids", .largeList(.int32))])
        let path = try makeTemporaryFolder(self) + "/sliced.arrow"
        let writer = try ArrowStreamWriter(path: path, schema: schema)
        try writer.write(RecordBatch(schema: schema, columns: [text, list]))
        try writer.finish()
        let table = try ArrowStreamReader.readTable(path: path)
        XCTAssertEqual(ArrowFixtures.rows(table), [[.string("ab"), .list([.int(1), .int(2)])], [.string("cdef"), .list([.int(3)])]])
        XCTAssertEqual(table.batches[0].columns[1].children[0].count, 3, "only the referenced child rows are written")
    }

    func testListColumnReadFromDiskIsASliceOfTheMap() throws {
        let path = try writeStream([try ArrowFixtures.batch(start: 0, rows: 50)])
        let reader = try ArrowStreamReader(path: path)
        let ids = try XCTUnwrap(try reader.next()?.column("ids"))
        let map = reader.file.bytes
        let mapRange = UInt(bitPattern: map.baseAddress)..<(UInt(bitPattern: map.baseAddress) + UInt(map.count))
        let elements = ids.listElements(1, as: Int32.self)
        XCTAssertEqual(Array(elements), [10])
        XCTAssertTrue(mapRange.contains(UInt(bitPattern: elements.baseAddress)), "list elements point into the mapped file")
        XCTAssertTrue(mapRange.contains(UInt(bitPattern: ids.offsets?.bytes.baseAddress)), "offsets point into the mapped file")
    }

    // MARK: - Bad files

    /// Writes `[0xFFFFFFFF][size][flatbuffer]` + end-of-stream: a stream whose schema we craft.
    private func writeRawSchemaStream(_ schema: FlatObject) throws -> String {
        let metadata = FlatBufferBuilder.serialize(.table([.int16(4), .uint8(1), .object(schema), .int64(0)]))
        var bytes: [UInt8] = []
        appendLittleEndian(UInt32(0xFFFF_FFFF), to: &bytes)
        appendLittleEndian(Int32(metadata.count), to: &bytes)
        bytes += metadata
        appendLittleEndian(UInt32(0xFFFF_FFFF), to: &bytes)
        appendLittleEndian(UInt32(0), to: &bytes)
        let path = try makeTemporaryFolder(self) + "/crafted.arrow"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testUnknownTypeIsAnErrorNamingTheFileAndField() throws {
        // Field "when" of type union id 10 (Timestamp, unit SECOND).
        let field = FlatObject.table([.object(.string("when")), .bool(true), .uint8(10), .object(.table([.int16(0)])), nil,
                                      .object(.tables([]))])
        let path = try writeRawSchemaStream(.table([.int16(0), .object(.tables([field]))]))
        XCTAssertThrowsError(try ArrowStreamReader(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is InputError)
            XCTAssertTrue(text.contains(path) && text.contains("'when'") && text.contains("Timestamp"), text)
        }
    }

    func testUnknownTypeInsideAListNamesTheNestedField() throws {
        let item = FlatObject.table([.object(.string("item")), .bool(true), .uint8(13), .object(.table([])), nil, .object(.tables([]))])
        let list = FlatObject.table([.object(.string("points")), .bool(true), .uint8(12), .object(.table([])), nil,
                                     .object(.tables([item]))])
        let path = try writeRawSchemaStream(.table([.int16(0), .object(.tables([list]))]))
        XCTAssertThrowsError(try ArrowStreamReader(path: path)) { error in
            XCTAssertTrue("\(error)".contains("'points.item'") && "\(error)".contains("Struct"), "\(error)")
        }
    }

    private func readEverything(_ path: String) throws -> [[Value]] {
        let table = try ArrowStreamReader.readTable(path: path)
        return ArrowFixtures.rows(table)
    }

    func testEveryTruncationIsAnErrorOrAShorterStream() throws {
        let path = try writeStream([try ArrowFixtures.batch(start: 0, rows: 5), try ArrowFixtures.batch(start: 5, rows: 3)])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let expected = ArrowFixtures.expectedRows(0..<8)
        let cutPath = path + ".cut"
        // Every cut in the schema message and the last bytes, every 7th elsewhere (debug builds are slow).
        let cuts = Array(0..<400) + Array(stride(from: 400, to: bytes.count - 16, by: 7)) + Array((bytes.count - 16)..<bytes.count)
        var errors = 0
        for length in cuts {
            try writeBytes(Array(bytes.prefix(length)), to: cutPath)
            do {
                let rows = try readEverything(cutPath)
                // Cut exactly between messages: a clean, shorter stream (pyarrow reads it too).
                XCTAssertEqual(rows, Array(expected.prefix(rows.count)), "cut at \(length)")
            } catch let error as InputError {
                XCTAssertTrue(error.description.contains(cutPath), "\(error)")
                errors += 1
            }
        }
        XCTAssertGreaterThan(errors, cuts.count - 5, "almost every cut is inside a message")
    }

    func testGarbageAndFlippedBytesGiveErrorsNotCrashes() throws {
        let path = try writeStream([try ArrowFixtures.batch(start: 0, rows: 20)])
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let damagedPath = path + ".damaged"
        var seed = UInt64(0x5EED)
        func next(_ bound: Int) -> Int {  // a small LCG so failures reproduce
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        var outcomes = (errors: 0, reads: 0)
        for trial in 0..<400 {
            var bytes = original
            if trial < 50 {
                bytes = (0..<next(600)).map { _ in UInt8(next(256)) }
                if trial % 2 == 0, bytes.count >= 8 { bytes.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0xFF]) }
            } else {
                for _ in 0..<(1 + next(3)) { bytes[next(bytes.count)] = UInt8(next(256)) }
            }
            try writeBytes(bytes, to: damagedPath)
            do {
                // Touch every cell: a damaged file that reads must still be safe to use.
                _ = try readEverything(damagedPath).count
                outcomes.reads += 1
            } catch is InputError {
                outcomes.errors += 1
            }
        }
        XCTAssertGreaterThan(outcomes.errors, 50)
    }
}
