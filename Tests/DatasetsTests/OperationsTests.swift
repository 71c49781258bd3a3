@testable import Datasets
import XCTest

/// A table of `rows` rows: id (int64), text (string), label (int64, `labels` classes cycling), in
/// record batches of `batchRows`.
func makeTable(rows: Int, batchRows: Int = 7, labels: Int = 2) -> Table {
    let schema = Schema([Field("id", .int64), Field("text", .string), Field("label", .int64)])
    let batches = stride(from: 0, to: rows, by: batchRows).map { start -> RecordBatch in
        var ids = ColumnBuilder(.int64), texts = ColumnBuilder(.string), classes = ColumnBuilder(.int64)
        for row in start..<min(start + batchRows, rows) {
            ids.append(Int64(row))
            texts.append("문장 \(row)")
            classes.append(Int64(row % labels))
        }
        return RecordBatch(schema: schema, columns: [ids.finish(), texts.finish(), classes.finish()])
    }
    return Table(schema: schema, batches: batches)
}

func ids(_ table: Table) -> [Int64] {
    (0..<table.count).map { if case .int(let id) = table.value(row: $0, column: 0) { return id } else { return -1 } }
}

final class OperationsTests: XCTestCase {
    func testSelectRenameRemoveShareColumns() throws {
        let table = makeTable(rows: 10)
        let selected = try table.selectColumns(["label", "id"])
        XCTAssertEqual(selected.schema.names, ["label", "id"])
        XCTAssertEqual(selected.value(row: 3, column: 1), .int(3))
        XCTAssertEqual(try table.removeColumns(["text"]).schema.names, ["id", "label"])
        XCTAssertEqual(try table.renameColumn("text", to: "document").schema.names, ["id", "document", "label"])
        XCTAssertThrowsError(try table.renameColumn("text", to: "id"))
        XCTAssertThrowsError(try table.selectColumns(["nope"])) { error in
            XCTAssertTrue("\(error)".contains("no column named 'nope'"))
        }
    }

    func testFilterHeadTakeAcrossBatches() throws {
        let table = makeTable(rows: 30, batchRows: 4)
        let even = table.filter { batch, row in batch.columns[0].integer(row) % 2 == 0 }
        XCTAssertEqual(ids(even), stride(from: 0, to: 30, by: 2).map(Int64.init))
        XCTAssertEqual(ids(table.head(5)), [0, 1, 2, 3, 4])
        XCTAssertEqual(ids(table.head(100)).count, 30)
        XCTAssertEqual(table.take([29, 0, 13]).row(2), [.int(13), .string("문장 13"), .int(1)])
    }

    func testShuffleIsAPermutationDeterminedBySeed() {
        let table = makeTable(rows: 50)
        let first = ids(table.shuffled(seed: 7)), again = ids(table.shuffled(seed: 7)), other = ids(table.shuffled(seed: 8))
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, other)
        XCTAssertEqual(first.sorted(), (0..<50).map(Int64.init))
    }

    func testContiguousShardsFollowHFRowAssignment() throws {
        // HF: div = 10 // 3 = 3, mod = 1; shard 0 = rows 0..<4, shard 1 = 4..<7, shard 2 = 7..<10.
        let table = makeTable(rows: 10)
        XCTAssertEqual(ids(try table.shard(numShards: 3, index: 0)), [0, 1, 2, 3])
        XCTAssertEqual(ids(try table.shard(numShards: 3, index: 1)), [4, 5, 6])
        XCTAssertEqual(ids(try table.shard(numShards: 3, index: 2)), [7, 8, 9])
        XCTAssertEqual(ids(try table.shard(numShards: 3, index: 1, contiguous: false)), [1, 4, 7])
        XCTAssertThrowsError(try table.shard(numShards: 3, index: 3))
    }

    func testStratifiedSplitKeepsClassSharesAndCoversAllRows() throws {
        // 3 classes of 40 rows; a 25% test split must take exactly 10 of each class.
        let table = makeTable(rows: 120, labels: 3)
        let (train, test) = try table.trainTestSplit(testSize: 0.25, stratifyBy: "label", seed: 1)
        XCTAssertEqual(test.count, 30)
        XCTAssertEqual(train.count, 90)
        XCTAssertEqual(Set(ids(train) + ids(test)).count, 120)
        let testLabels = (0..<test.count).map { test.value(row: $0, column: 2) }
        for label in 0..<3 { XCTAssertEqual(testLabels.filter { $0 == .int(Int64(label)) }.count, 10) }
        let again = try table.trainTestSplit(testSize: 0.25, stratifyBy: "label", seed: 1)
        XCTAssertEqual(ids(again.test), ids(test))
        XCTAssertThrowsError(try table.trainTestSplit(testSize: 1.5))
    }

    func testSplitTestSizeRoundsUpLikeHF() throws {
        // HF: n_test = ceil(0.1 * 25) = 3.
        let (train, test) = try makeTable(rows: 25).trainTestSplit(testSize: 0.1, seed: 3)
        XCTAssertEqual(test.count, 3)
        XCTAssertEqual(train.count, 22)
    }

    func testConcatenateChecksSchemas() throws {
        let joined = try Table.concatenate([makeTable(rows: 3), makeTable(rows: 2)])
        XCTAssertEqual(ids(joined), [0, 1, 2, 0, 1])
        XCTAssertThrowsError(try Table.concatenate([makeTable(rows: 3), try makeTable(rows: 2).removeColumns(["text"])]))
    }

    func testBatchedMapIsIdenticalForAnyThreadCount() throws {
        let table = makeTable(rows: 103, batchRows: 10)
        let lengths: @Sendable (RecordBatch) throws -> MappedColumns = { batch in
            var builder = ColumnBuilder(.list(.int32))
            for row in 0..<batch.count {
                let id = Int32(batch.columns[0].integer(row))
                builder.appendList([id, id * 2])
            }
            return MappedColumns([(Field("pair", .list(.int32)), builder.finish())])
        }
        let one = try table.map(batchRows: 8, threads: 1, removing: ["text"], lengths)
        let two = try table.map(batchRows: 8, threads: 2, removing: ["text"], lengths)
        XCTAssertEqual(one.schema.names, ["id", "label", "pair"])
        XCTAssertEqual(one.count, 103)
        for row in [0, 57, 102] {
            XCTAssertEqual(one.row(row), two.row(row))
            XCTAssertEqual(one.row(row)[2], .list([.int(Int64(row)), .int(Int64(row * 2))]))
        }
        XCTAssertThrowsError(try table.map { _ in MappedColumns([(Field("bad", .int64), ColumnBuilder(.int64).finish())]) })
    }

    func testDescribeCountsNullsLengthsAndLabels() {
        var builder = ColumnBuilder(.string)
        builder.append("가나다")
        builder.appendNull()
        builder.append("a")
        let schema = Schema([Field("text", .string)])
        let table = Table(schema: schema, batches: [RecordBatch(schema: schema, columns: [builder.finish()])])
        let summary = TableDescription(table).columns[0]
        XCTAssertEqual(summary.nulls, 1)
        XCTAssertEqual(summary.statistics?.maximum, 3)  // three Hangul syllables, not nine bytes
        XCTAssertEqual(summary.statistics?.minimum, 1)
        let labels = TableDescription(makeTable(rows: 10, labels: 2)).columns[2]
        XCTAssertEqual(labels.distinctValues, 2)
        XCTAssertEqual(labels.topValues.map(\.count), [5, 5])
    }

    func testRowConditionsRefuseWhatCannotBeCompared() throws {
        let schema = Schema([Field("n", .int64), Field("s", .string), Field("ids", .list(.int32)), Field("flag", .bool), Field("label", .int64)])
        let inferred = Features(inferredFrom: schema)
        let features = Features(zip(inferred.names, inferred.features).map { name, feature in
            (name, name == "label" ? Feature.classLabel(names: ["neg", "pos"]) : feature)
        })
        let refused: [(condition: String, message: String)] = [
            ("n", "no comparison operator"),
            ("== 3", "no column before =="),
            ("n == abc", "expected a number, a quoted string, true, false or null after ==, got 'abc'"),
            ("n < null", "null can only be compared with == or !="),
            ("len(s) > 'a'", "len(...) compares with a number"),
            ("len(n) > 1", "len() needs a list or string column; 'n' holds int64"),
            ("s > 3", "column 's' holds string, which compares with a quoted string"),
            ("ids == 3", "compare len(ids) instead"),
            ("flag < true", "which compares with true or false by == or !="),
            ("n == 'pos'", "column 'n' holds int64, which compares with a number"),
            ("label == 'neutral'", "'neutral' is not a class of 'label'"),
            ("label == 1.5e400", "expected a number"),
            ("missing == 1", "no column named 'missing'"),
        ]
        for (condition, message) in refused {
            XCTAssertThrowsError(try RowCondition(parsing: condition).test(for: schema, features: features), condition) { error in
                XCTAssertTrue("\(error)".contains(message), "\(condition): \(error)")
            }
        }
        // an operator inside quotes is text; the first operator outside them splits the condition
        var builder = ColumnBuilder(.string)
        for text in ["a<=b", "a", "b<=c"] { builder.append(text) }
        let strings = Table(schema: Schema([Field("s", .string)]), batches: [RecordBatch(schema: Schema([Field("s", .string)]), columns: [builder.finish()])])
        let test = try RowCondition(parsing: "s == 'a<=b'").test(for: strings.schema, features: Features(inferredFrom: strings.schema))
        XCTAssertEqual(strings.filter(test).count, 1)
    }
}
