import DSPrepSupport
@testable import Datasets
import Foundation
import XCTest

final class ArrowDatasetFolderTests: XCTestCase {
    private let labelled = Schema([Field("text", .string), Field("label", .int64), Field("ids", .list(.int32))])
    private let labelFeatures = Features([
        ("text", .value(.string)), ("label", .classLabel(names: ["부정", "긍정"])), ("ids", .list(.value(.int32))),
    ])

    private func labelledBatch(_ rows: Range<Int>) throws -> RecordBatch {
        var text = ColumnBuilder(.string), label = ColumnBuilder(.int64), ids = ColumnBuilder(.list(.int32))
        for row in rows {
            if row % 6 == 5 { text.appendNull() } else { text.append("문장 \(row)") }
            label.append(Int64(row % 2))
            ids.appendList((0..<(row % 4)).map { Int32(row + $0) })
        }
        return RecordBatch(schema: labelled, columns: [text.finish(), label.finish(), ids.finish()])
    }

    private func files(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    func testSaveAndLoadKeepRowsFeaturesSplitAndInfo() throws {
        let folder = try makeTemporaryFolder(self) + "/train"
        let table = Table(schema: labelled, batches: [try labelledBatch(0..<10), try labelledBatch(10..<25)])
        let info = DatasetInfo(description: "NSMC 표본", license: "CC0")
        try Dataset(table: table, features: labelFeatures, split: "train", info: info).save(to: folder)
        XCTAssertEqual(try files(folder), [".dsprep-output", "data-00000-of-00001.arrow", "dataset_info.json", "state.json"])

        let loaded = try Dataset.load(from: folder)
        XCTAssertEqual(ArrowFixtures.rows(loaded.table), ArrowFixtures.rows(table))
        XCTAssertEqual(loaded.table.batches.count, 2)
        XCTAssertEqual(loaded.features, labelFeatures)
        XCTAssertEqual(loaded.classLabelNames(of: "label"), ["부정", "긍정"])
        XCTAssertNil(loaded.classLabelNames(of: "text"))
        XCTAssertEqual(loaded.split, "train")
        XCTAssertEqual(loaded.info, info)
    }

    func testWriterRollsOverToNumberedShards() throws {
        let folder = try makeTemporaryFolder(self) + "/sharded"
        let writer = try DatasetWriter(path: folder, schema: labelled, features: labelFeatures, maxShardBytes: 1500)
        for start in stride(from: 0, to: 200, by: 20) { try writer.write(try labelledBatch(start..<(start + 20))) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "nothing is visible before finish")
        try writer.finish()
        let dataFiles = try files(folder).filter { $0.hasSuffix(".arrow") }
        XCTAssertGreaterThan(dataFiles.count, 2)
        XCTAssertEqual(dataFiles, (0..<dataFiles.count).map { SaveToDiskFiles.dataFileName(index: $0, count: dataFiles.count) })
        XCTAssertEqual(dataFiles.last, String(format: "data-%05d-of-%05d.arrow", dataFiles.count - 1, dataFiles.count))
        let loaded = try Dataset.load(from: folder)
        XCTAssertEqual(loaded.count, 200)
        XCTAssertEqual(ArrowFixtures.rows(loaded.table), ArrowFixtures.rows(Table(schema: labelled, batches: [try labelledBatch(0..<200)])))
    }

    func testFingerprintIsTheContentHashOfTheDataFilesInOrder() throws {
        let parent = try makeTemporaryFolder(self)
        let table = Table(schema: labelled, batches: try stride(from: 0, to: 120, by: 20).map { try labelledBatch($0..<($0 + 20)) })
        for name in ["a", "b"] { try Dataset(table: table).save(to: parent + "/" + name, maxShardBytes: 1500) }
        let dataFiles = try files(parent + "/a").filter { $0.hasSuffix(".arrow") }
        XCTAssertGreaterThan(dataFiles.count, 1)
        var hasher = ContentHasher()
        for name in dataFiles {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: parent + "/a/" + name))
            bytes.withUnsafeBytes { hasher.update($0) }
            hasher.update(bytes.count)
        }
        let fingerprints = try ["a", "b"].map { try SaveToDiskFiles.readState(folder: parent + "/" + $0).fingerprint }
        XCTAssertEqual(fingerprints, [String(hasher.hexDigest.prefix(16)), String(hasher.hexDigest.prefix(16))])
    }

    func testEmptyDatasetStillHasOneFile() throws {
        let folder = try makeTemporaryFolder(self) + "/empty"
        try DatasetWriter(path: folder, schema: labelled).finish()
        XCTAssertEqual(try files(folder), [".dsprep-output", "data-00000-of-00001.arrow", "dataset_info.json", "state.json"])
        let loaded = try Dataset.load(from: folder)
        XCTAssertEqual(loaded.count, 0)
        XCTAssertEqual(loaded.schema, labelled)
    }

    func testFailedOrAbandonedWritesLeaveNothing() throws {
        let parent = try makeTemporaryFolder(self)
        let writer = try DatasetWriter(path: parent + "/failed", schema: labelled)
        try writer.write(try labelledBatch(0..<5))
        let wrong = RecordBatch(schema: Schema([Field("x", .int8)]), columns: [ColumnBuilder(.int8).finish()])
        XCTAssertThrowsError(try writer.write(wrong))
        XCTAssertThrowsError(try writer.finish())
        do {
            let abandoned = try DatasetWriter(path: parent + "/abandoned", schema: labelled)
            try abandoned.write(try labelledBatch(0..<5))
        }
        XCTAssertEqual(try files(parent), [], "no output and no temporary folder is left")
    }

    func testSavingOverAnExistingDatasetReplacesIt() throws {
        let folder = try makeTemporaryFolder(self) + "/data"
        try Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<50)])).save(to: folder, maxShardBytes: 500)
        try Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<3)])).save(to: folder)
        XCTAssertEqual(try files(folder), [".dsprep-output", "data-00000-of-00001.arrow", "dataset_info.json", "state.json"])
        XCTAssertEqual(try Dataset.load(from: folder).count, 3)
    }

    func testSavingOverAFolderDsprepDidNotWriteIsRefused() throws {
        let folder = try makeTemporaryFolder(self) + "/mine"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        XCTAssertThrowsError(try Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<3)])).save(to: folder)) {
            XCTAssertTrue("\($0)".contains("did not write"), "\($0)")
        }
        XCTAssertEqual(try files(folder), ["notes.txt"])
        XCTAssertEqual(try files(URL(fileURLWithPath: folder).deletingLastPathComponent().path), ["mine"], "no temporary folder left")
    }

    func testDatasetDictRoundTrip() throws {
        let folder = try makeTemporaryFolder(self) + "/dict"
        let train = Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<30)]), features: labelFeatures, split: "train")
        let test = Dataset(table: Table(schema: labelled, batches: [try labelledBatch(30..<40)]), features: labelFeatures, split: "test")
        try DatasetDict([("train", train), ("test", test)]).save(to: folder)
        XCTAssertTrue(DatasetDict.isDatasetDict(at: folder))
        XCTAssertEqual(try String(contentsOfFile: folder + "/dataset_dict.json", encoding: .utf8), "{\"splits\": [\"train\", \"test\"]}")
        let loaded = try DatasetDict.load(from: folder)
        XCTAssertEqual(loaded.names, ["train", "test"])
        XCTAssertEqual(loaded["test"].map { ArrowFixtures.rows($0.table) }, ArrowFixtures.rows(test.table))
        XCTAssertEqual(loaded["train"]?.classLabelNames(of: "label"), ["부정", "긍정"])
        XCTAssertThrowsError(try Dataset.load(from: folder)) { XCTAssertTrue("\($0)".contains("train, test"), "\($0)") }
    }

    func testLoadedColumnsPointIntoTheMappedDataFile() throws {
        #if os(Linux)
        let folder = try makeTemporaryFolder(self) + "/mapped"
        try Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<40)])).save(to: folder)
        let loaded = try Dataset.load(from: folder)
        let ids = try XCTUnwrap(loaded.table.batches.first?.column("ids"))
        let address = UInt(bitPattern: ids.listElements(3, as: Int32.self).baseAddress)
        // /proc/self/maps: "start-end perms offset dev inode path"; find the mapping holding the list.
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)  // procfs files report size 0
        let mapping = maps.split(separator: "\n").first { line in
            let bounds = line.split(separator: " ")[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            return bounds.count == 2 && (bounds[0]..<bounds[1]).contains(address)
        }
        XCTAssertTrue(mapping?.hasSuffix(folder + "/data-00000-of-00001.arrow") ?? false, "mapping: \(mapping ?? "none")")
        #else
        throw XCTSkip("reads /proc/self/maps")
        #endif
    }

    // MARK: - Bad folders

    private func savedFolder() throws -> String {
        let folder = try makeTemporaryFolder(self) + "/saved"
        try Dataset(table: Table(schema: labelled, batches: [try labelledBatch(0..<4)]), features: labelFeatures).save(to: folder)
        return folder
    }

    private func assertLoadFails(_ folder: String, mentioning parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try Dataset.load(from: folder), line: line) { error in
            XCTAssertTrue(error is InputError, line: line)
            for part in parts { XCTAssertTrue("\(error)".contains(part), "\(error) should mention \(part)", line: line) }
        }
    }

    func testMissingStateFileIsAClearError() throws {
        let folder = try savedFolder()
        try FileManager.default.removeItem(atPath: folder + "/state.json")
        assertLoadFails(folder, mentioning: ["state.json", "save_to_disk"])
    }

    func testBadJSONNamesTheFileLineAndColumn() throws {
        let folder = try savedFolder()
        try "{\n  \"_data_files\": [}\n".write(toFile: folder + "/state.json", atomically: false, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["state.json:2:19"])
    }

    func testDataFileNamesCannotLeaveTheFolder() throws {
        let folder = try savedFolder()
        try #"{"_data_files": [{"filename": "../secret.arrow"}]}"#.write(toFile: folder + "/state.json", atomically: false, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["../secret.arrow", "state.json"])
    }

    func testFeaturesThatDisagreeWithTheDataAreRejected() throws {
        let folder = try savedFolder()
        let info = folder + "/dataset_info.json"
        let text = try String(contentsOfFile: info, encoding: .utf8)
        try text.replacingOccurrences(of: "\"int32\"", with: "\"int64\"").write(toFile: info, atomically: false, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["'ids'", "dataset_info.json"])
        try text.replacingOccurrences(of: "\"Value\"", with: "\"Image\"").write(toFile: info, atomically: false, encoding: .utf8)
        assertLoadFails(folder, mentioning: ["Image"])
    }

    func testCorruptDataFileNamesTheFile() throws {
        let folder = try savedFolder()
        let data = folder + "/data-00000-of-00001.arrow"
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: data)))
        try writeBytes(Array(bytes.prefix(bytes.count - 30)), to: data)
        assertLoadFails(folder, mentioning: ["data-00000-of-00001.arrow", "truncated"])
    }

    func testFeatureJSONIsWhatHFWrites() throws {
        // The spelling datasets 5.2.0 writes (checked against save_to_disk output by the interop tests).
        XCTAssertEqual(labelFeatures.json.serialized(.pythonDumps(indent: nil)),
                       #"{"text": {"dtype": "string", "_type": "Value"}, "label": {"names": ["\ubd80\uc815", "\uae0d\uc815"], "_type": "ClassLabel"}, "ids": {"feature": {"dtype": "int32", "_type": "Value"}, "_type": "List"}}"#)
    }
}
