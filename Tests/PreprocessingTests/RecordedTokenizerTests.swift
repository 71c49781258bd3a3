import Foundation
@testable import Preprocessing
import XCTest

/// The tokenize record of a folder comes from its own summary file or, when it has none (a
/// split of a collection), from its parent's; a summary that cannot be read is not replaced by
/// the parent's, which describes another folder.
final class RecordedTokenizerTests: XCTestCase {
    private let tokenizer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("vocab/default-tokenizer.json").path

    func testASplitFindsItsCollectionsRecordButNotPastItsOwnUnreadableOne() throws {
        let collection = FileManager.default.temporaryDirectory.appendingPathComponent("recorded-\(UUID())").path
        let split = collection + "/train"
        try FileManager.default.createDirectory(atPath: split, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: collection) }
        try TokenizeRun.writeSummary(in: collection, tokenizerPath: tokenizer, options: TokenizeJob.Options(), inputs: 1, shard: nil, reports: [])

        XCTAssertEqual(TokenizeRun.recordedTokenizerPath(in: split), tokenizer)
        XCTAssertEqual(TokenizeRun.recordedTokenizer(in: split)?.unchanged, true)
        XCTAssertEqual(TokenizeRun.recordedJob(in: split)?.inputs, 1)

        try Data("{\"tokenizer\": ".utf8).write(to: URL(fileURLWithPath: split + "/" + TokenizeRun.summaryFile))
        XCTAssertNil(TokenizeRun.recordedTokenizerPath(in: split))
        XCTAssertNil(TokenizeRun.recordedTokenizer(in: split))
        XCTAssertNil(TokenizeRun.recordedJob(in: split))
        XCTAssertEqual(TokenizeRun.recordedTokenizerPath(in: collection), tokenizer)
    }
}
