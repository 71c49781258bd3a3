import Datasets
@testable import Preprocessing
import XCTest

final class ColumnRolesTests: XCTestCase {
    private let nsmc = Schema([Field("id", .int64), Field("document", .string), Field("label", .int64)])
    private let korsts = Schema([Field("genre", .string), Field("score", .float64), Field("sentence1", .string), Field("sentence2", .string)])

    func testFindsColumnsByName() throws {
        XCTAssertEqual(try ColumnRoles.resolve(schema: nsmc, text: nil, textPair: nil, label: nil, path: "x"),
                       ColumnRoles(text: "document", label: "label"))
        XCTAssertEqual(try ColumnRoles.resolve(schema: korsts, text: nil, textPair: nil, label: nil, path: "x"),
                       ColumnRoles(text: "sentence1", textPair: "sentence2", label: "score"))
    }

    func testOnlyStringColumnIsTheTextAndUnknownNamesFail() throws {
        let schema = Schema([Field("body", .string), Field("y", .int64)])
        XCTAssertEqual(try ColumnRoles.resolve(schema: schema, text: nil, textPair: nil, label: nil, path: "x").text, "body")
        XCTAssertThrowsError(try ColumnRoles.resolve(schema: nsmc, text: "doc", textPair: nil, label: nil, path: "in.tsv")) {
            XCTAssertTrue("\($0)".contains("in.tsv: no column named 'doc'"), "\($0)")
        }
    }
}

final class LabelEncodingTests: XCTestCase {
    func testStringLabelsAreSortedClassNames() throws {
        let encoding = try LabelEncoding.infer(type: .string, distinct: [.string("neutral"), .string("entailment"), .string("contradiction")])
        XCTAssertEqual(encoding, .classes(names: ["contradiction", "entailment", "neutral"]))
        XCTAssertEqual(encoding.ids["neutral"], 2)
    }

    func testIntegerLabelsKeepTheirValueAndFloatsAreRegression() throws {
        XCTAssertEqual(try LabelEncoding.infer(type: .int64, distinct: [.int(1), .int(0)]), .classes(names: ["0", "1"]))
        XCTAssertEqual(try LabelEncoding.infer(type: .float64, distinct: [.float(4.2)]), .regression)
        XCTAssertThrowsError(try LabelEncoding.infer(type: .int64, distinct: [.int(-1)]))
    }
}

final class TokenizeSummaryTests: XCTestCase {
    func testPercentilesAndHistogramFromLengths() {
        var summary = TokenizeSummary()
        for length in 1...100 { summary.record(length: length, unknown: length == 50 ? 2 : 0, truncated: length > 90) }
        XCTAssertEqual(summary.rows, 100)
        XCTAssertEqual(summary.tokens, 5050)
        XCTAssertEqual(summary.truncatedRows, 10)
        XCTAssertEqual(summary.lengthPercentile(50), 50)
        XCTAssertEqual(summary.lengthPercentile(95), 95)
        XCTAssertEqual(summary.lengthPercentile(100), 100)
        XCTAssertEqual(summary.histogram().reduce(0) { $0 + $1.rows }, 100)
        var merged = TokenizeSummary()
        merged.merge(summary)
        merged.merge(summary)
        XCTAssertEqual(merged.rows, 200)
        XCTAssertEqual(merged.lengthPercentile(50), 50)
    }
}
