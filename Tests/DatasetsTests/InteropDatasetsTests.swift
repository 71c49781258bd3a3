import DSPrepSupport
@testable import Datasets
import Foundation
import TestSupport
import XCTest

/// `save_to_disk` folders checked against HF `datasets` 5.2.0 (`tools/oracles/arrow_peer.py`).
final class InteropDatasetsTests: XCTestCase {
    /// Our features as the JSON object `Features.to_dict()` prints.
    private func featureObject(_ features: Features) throws -> NSDictionary {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(features.json.serialized(.pythonDumps(indent: nil)).utf8)) as? NSDictionary)
    }

    private func assertSameDataset(_ dataset: Dataset, _ printed: [String: Any], line: UInt = #line) throws {
        XCTAssertEqual(try featureObject(dataset.features), printed["features"] as? NSDictionary, line: line)
        XCTAssertEqual(dataset.schema.fields.map(\.type.description), ArrowPeer.printedTypes(printed), line: line)
        XCTAssertEqual(dataset.count, printed["num_rows"] as? Int, line: line)
        ArrowPeer.assertSameColumns(dataset.table, printed, line: line)
    }

    /// Every type plus ClassLabel, with nulls, in several shards.
    private func ourDataset(split: String?) throws -> Dataset {
        let schema = Schema(ArrowFixtures.schema.fields + [Field("label", .int64)])
        let batches = try [(0, 300), (300, 200), (500, 1)].map { start, rows -> RecordBatch in
            let base = try ArrowFixtures.batch(start: start, rows: rows)
            var label = ColumnBuilder(.int64)
            for row in start..<(start + rows) { label.append(Int64(row % 3)) }
            return RecordBatch(schema: schema, columns: base.columns + [label.finish()])
        }
        var features = Features(inferredFrom: schema)
        features = Features(zip(features.names, features.features).map { name, feature in
            (name, name == "label" ? Feature.classLabel(names: ["부정", "중립", "긍정"]) : feature)
        })
        return Dataset(table: Table(schema: schema, batches: batches), features: features, split: split)
    }

    func testDatasetsLoadsWhatWeSaveInSeveralShards() throws {
        _ = try TestEnvironment.requirePython()
        let folder = try makeTemporaryFolder(self) + "/ours"
        let dataset = try ourDataset(split: "train")
        try dataset.save(to: folder, maxShardBytes: 20_000)
        let printed = try ArrowPeer.run("dump-dataset", folder)
        let files = try XCTUnwrap(printed["files"] as? [String])
        XCTAssertGreaterThan(files.count, 1)
        XCTAssertEqual(printed["split"] as? String, "train")
        try assertSameDataset(dataset, printed)
        XCTAssertEqual((try featureObject(dataset.features))["label"] as? NSDictionary,
                       ["names": ["부정", "중립", "긍정"], "_type": "ClassLabel"] as NSDictionary)
    }

    func testWeLoadWhatDatasetsSavesInThreeShards() throws {
        let folder = try makeTemporaryFolder(self) + "/theirs"
        let printed = try ArrowPeer.run("make-dataset", folder)
        let dataset = try Dataset.load(from: folder)
        XCTAssertEqual(dataset.table.batches.count, (printed["file_batch_rows"] as? [[Int]])?.joined().count)
        XCTAssertEqual((printed["files"] as? [String])?.count, 3)
        XCTAssertGreaterThan(dataset.table.batches.count, 3, "several record batches per file")
        XCTAssertEqual(dataset.classLabelNames(of: "label"), ["부정", "pos"])
        XCTAssertNil(dataset.split)
        try assertSameDataset(dataset, printed)
    }

    func testDatasetDictsGoBothWays() throws {
        let folder = try makeTemporaryFolder(self)
        let printed = try ArrowPeer.run("make-dataset-dict", folder + "/theirs")
        let splits = try XCTUnwrap(printed["splits"] as? [String: [String: Any]])
        let theirs = try DatasetDict.load(from: folder + "/theirs")
        XCTAssertEqual(theirs.names, ["train", "test"])
        for name in theirs.names {
            try assertSameDataset(try XCTUnwrap(theirs[name]), try XCTUnwrap(splits[name]))
        }
        XCTAssertGreaterThan((splits["train"]?["files"] as? [String])?.count ?? 0, 1, "max_shard_size split the train split")

        try theirs.save(to: folder + "/ours", maxShardBytes: 10_000)
        let reread = try XCTUnwrap(try ArrowPeer.run("dump-dataset", folder + "/ours")["splits"] as? [String: [String: Any]])
        for name in theirs.names {
            try assertSameDataset(try XCTUnwrap(theirs[name]), try XCTUnwrap(reread[name]))
        }
    }

    /// `dsprep dataset filter` conditions keep the rows that `Dataset.filter` keeps with the same
    /// predicate written in Python: nulls as None, strings in code point order, ClassLabel names,
    /// integers compared exactly, len of lists and of Korean strings.
    func testFilterConditionsKeepWhatDatasetsFilterKeeps() throws {
        _ = try TestEnvironment.requirePython()
        let folder = try makeTemporaryFolder(self) + "/ours"
        let dataset = try ourDataset(split: nil)
        try dataset.save(to: folder)
        let cases: [(ours: String, python: String)] = [
            ("i32 >= 0", "i32 is not None and i32 >= 0"),
            ("i8 < -100.5", "i8 is not None and i8 < -100.5"),
            ("i64 > 9223372036854775000", "i64 is not None and i64 > 9223372036854775000"),
            ("f64 <= -3.5", "f64 is not None and f64 <= -3.5"),
            ("f32 == 2", "f32 == 2"),
            ("text != ''", "text != ''"),
            ("len(text) > 9", "text is not None and len(text) > 9"),
            ("large_text >= '큰 3'", "large_text is not None and large_text >= '큰 3'"),
            ("text < \"리뷰 2\"", "text is not None and text < '리뷰 2'"),
            ("label == '긍정'", "label == 2"),
            ("label != 0", "label != 0"),
            ("flag == true", "flag == True"),
            ("flag != false", "flag != False"),
            ("len(ids) <= 1", "ids is not None and len(ids) <= 1"),
            ("len(nested) == 2", "nested is not None and len(nested) == 2"),
            ("words == null", "words is None"),
            ("big_ids != null", "big_ids is not None"),
        ]
        let printed = try XCTUnwrap(try ArrowPeer.run(["filter", folder, "required"] + cases.map(\.python))["kept"] as? [String: [Int]])
        let required = try XCTUnwrap(dataset.schema.fields.firstIndex { $0.name == "required" })
        for (ours, python) in cases {
            let test = try RowCondition(parsing: ours).test(for: dataset.schema, features: dataset.features)
            let kept = dataset.table.filter(test)
            let ids = (0..<kept.count).map { row -> Int in
                if case let .int(id) = kept.value(row: row, column: required) { return Int(id) } else { return -1 }
            }
            let expected = try XCTUnwrap(printed[python], python)
            XCTAssertFalse(expected.isEmpty || expected.count == dataset.count, "\(python) keeps some rows, not all")
            XCTAssertEqual(ids, expected, ours)
        }
    }
}
