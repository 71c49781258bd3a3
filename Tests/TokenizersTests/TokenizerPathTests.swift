import Foundation
import TestSupport
@testable import Tokenizers
import XCTest

/// One resolver for what a tokenizer path names: the file loading reads and, for a vocab.txt, the
/// tokenizer_config.json that sets its casing (the files a tokenize run's cache key digests).
final class TokenizerPathTests: XCTestCase {
    func testFilesAndFoldersResolveToTheFilesLoadingReads() throws {
        let folder = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        for name in ["bert", "both", "spm", "empty"] {
            try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        }
        for file in ["bert/vocab.txt", "bert/tokenizer_config.json", "both/vocab.txt", "both/tokenizer.json", "both/tokenizer_config.json",
                     "spm/m.model", "spm/tokenizer_config.json"] {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: path(file)))
        }
        let bert = try TokenizerPath(path("bert"))
        XCTAssertEqual(bert.file, path("bert/vocab.txt"))
        XCTAssertEqual(bert.kind, .vocabularyText)
        XCTAssertEqual(bert.files, [path("bert/vocab.txt"), path("bert/tokenizer_config.json")])
        XCTAssertEqual(try TokenizerPath(path("bert/vocab.txt")), bert)
        let both = try TokenizerPath(path("both"))
        XCTAssertEqual(both.kind, .tokenizerJSON)
        XCTAssertEqual(both.files, [path("both/tokenizer.json")], "a tokenizer.json sets its own casing")
        let spm = try TokenizerPath(path("spm/m.model"))
        XCTAssertEqual(spm.kind, .sentencePiece)
        XCTAssertEqual(spm.files, [path("spm/m.model")])
        XCTAssertThrowsError(try TokenizerPath(path("empty"))) { XCTAssertTrue("\($0)".contains("without tokenizer.json or vocab.txt"), "\($0)") }
        XCTAssertThrowsError(try TokenizerPath(path("missing.json"))) { XCTAssertTrue("\($0)".contains("missing.json: no such file"), "\($0)") }
    }
}
