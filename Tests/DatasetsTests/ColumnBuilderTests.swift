@testable import Datasets
import XCTest

final class ColumnBuilderTests: XCTestCase {
    func testIntegerColumnWithNullsKeepsValuesAndBitmap() throws {
        var builder = ColumnBuilder(.int64)
        builder.append(Int64(7))
        builder.appendNull()
        builder.append(Int64(-3))
        let column = builder.finish()
        XCTAssertEqual(column.count, 3)
        XCTAssertEqual(column.nullCount, 1)
        XCTAssertEqual((0..<3).map { column.value($0) }, [.int(7), .null, .int(-3)])
    }

    func testListOfInt32IsASliceOfTheChildValues() throws {
        var builder = ColumnBuilder(.list(.int32))
        builder.appendList([Int32(1), 2, 3])
        builder.appendList([Int32]())
        builder.appendList([Int32(9)])
        let column = builder.finish()
        XCTAssertEqual(Array(column.listElements(0, as: Int32.self)), [1, 2, 3])
        XCTAssertEqual(Array(column.listElements(1, as: Int32.self)), [])
        XCTAssertEqual(Array(column.listElements(2, as: Int32.self)), [9])
    }

    func testStringColumnRoundTripsKorean() throws {
        var builder = ColumnBuilder(.string)
        builder.append("아 더빙.. 진짜 짜증나네요")
        builder.append("")
        let column = builder.finish()
        XCTAssertEqual(column.string(0), "아 더빙.. 진짜 짜증나네요")
        XCTAssertEqual(column.string(1), "")
    }

    func testValueThatDoesNotFitIsRejected() {
        var builder = ColumnBuilder(.int8)
        XCTAssertThrowsError(try builder.append(Value.int(300)))
        XCTAssertThrowsError(try builder.append(Value.string("x")))
    }
}
