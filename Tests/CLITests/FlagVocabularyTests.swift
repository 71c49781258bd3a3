import Foundation
import TestSupport
import XCTest

/// The flag vocabulary of README.md's "Flags" table holds in every subcommand's `--help`: one
/// flag for one thing, shown by exactly the subcommands the table lists, with the same value; the
/// earlier spellings of renamed flags shown by none (they stay accepted: `testEarlierSpellings`).
final class FlagVocabularyTests: XCTestCase {
    struct Row {
        var label: String
        var commands: Set<String>
        /// Earlier spellings, each with the subcommand it belongs to (nil: all the row's).
        var earlierSpellings: [(command: String?, flag: String)]
    }

    /// The rows of README.md's "## Flags" table.
    func readmeRows() throws -> [Row] {
        let readme = try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.components(separatedBy: "\n## Flags\n").dropFirst().first?.components(separatedBy: "\n## ").first)
        return section.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let commands = Set(cells[3].components(separatedBy: ", "))
            // "`--old`" (in all the row's subcommands) or "dataset shard `--index`", separated by "; ".
            let earlier = cells[4].components(separatedBy: "; ").filter { !$0.isEmpty }.map { item -> (command: String?, flag: String) in
                let parts = item.components(separatedBy: "`")
                let command = parts[0].trimmingCharacters(in: .whitespaces)
                return (command.isEmpty ? nil : command, String(parts[1].split(separator: " ")[0]))
            }
            return Row(label: cells[1].components(separatedBy: "`")[1], commands: commands, earlierSpellings: earlier)
        }
    }

    func testHelpPagesFollowTheReadmeTable() throws {
        let rows = try readmeRows()
        XCTAssertGreaterThan(rows.count, 20)
        var shownBy: [String: Set<String>] = [:]
        var labels: [String: Set<String>] = [:]
        let pages = try HelpPages.leafCommands()
        for (command, page) in pages {
            for flag in HelpPages.flags(in: page) {
                shownBy[flag.name, default: []].insert(command)
                labels[flag.name, default: []].insert(flag.label)
            }
        }
        for row in rows {
            let name = String(row.label.split(separator: " ")[0])
            XCTAssertEqual(shownBy[name] ?? [], row.commands, "README's commands for \(name)")
            XCTAssertEqual(labels[name] ?? [], [row.label], "\(name) takes one kind of value everywhere")
            for (command, earlier) in row.earlierSpellings {
                for command in command.map({ [$0] }) ?? Array(row.commands) {
                    let page = try XCTUnwrap(pages[command], "README names \(command), which is not a subcommand")
                    XCTAssertFalse(HelpPages.flags(in: page).contains { $0.name == earlier },
                                   "\(earlier) is the earlier spelling of \(name), yet `dsprep \(command) --help` shows it")
                }
            }
        }
        let listed = Set(rows.map { String($0.label.split(separator: " ")[0]) })
        for (name, commands) in shownBy where commands.count > 1 {
            XCTAssertTrue(listed.contains(name), "\(name) is shown by \(commands.sorted()): give it a row in README.md's flag table")
        }
    }

    /// One seed default: every `--seed` says 42.
    func testEverySeedDefaultsTo42() throws {
        var seen = 0
        for (command, page) in try HelpPages.leafCommands() {
            for flag in HelpPages.flags(in: page) where flag.name == "--seed" {
                seen += 1
                XCTAssertTrue(flag.text.contains("default: 42") || flag.text.contains("Default: 42."), "\(command): \(flag.text)")
            }
        }
        XCTAssertEqual(seen, 4)
    }

    /// Renamed flags keep working under their earlier spelling, with the same effect.
    func testEarlierSpellings() throws {
        let work = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let path = { (name: String) in work.appendingPathComponent(name).path }
        let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path
        let head = try String(contentsOfFile: sample, encoding: .utf8).split(separator: "\n").prefix(201).joined(separator: "\n") + "\n"
        try head.write(toFile: path("train.tsv"), atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) throws -> ProcessResult {
            let result = try DSPrepBinary.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            return result
        }
        try run(["ingest", path("train.tsv"), "--out", path("ds"), "--quiet"])
        for (new, old) in [(["--shard-index", "1"], ["--index", "1"])] {
            try run(["dataset", "shard", path("ds"), "--num-shards", "2"] + new + ["--out", path("new-shard")])
            try run(["dataset", "shard", path("ds"), "--num-shards", "2"] + old + ["--out", path("old-shard")])
            let data = { (folder: String) in try Data(contentsOf: URL(fileURLWithPath: path(folder + "/data-00000-of-00001.arrow"))) }
            XCTAssertEqual(try data("new-shard"), try data("old-shard"), "\(new) = \(old)")
        }
        try run(["dataset", "rename", path("ds"), "--column", "label=stars", "--out", path("renamed")])
        XCTAssertTrue(try run(["inspect", path("renamed")]).stdout.contains("stars"))
        for (new, old) in [(["--uncased"], ["--lowercase"]), (["--reserved-tokens", "[UNK],[PAD]"], ["--special-tokens", "[UNK],[PAD]"])] {
            try run(["vocab", "train", "--vocab-size", "60", path("train.tsv"), "--out", path("new.json"), "--overwrite", "--quiet"] + new)
            try run(["vocab", "train", "--vocab-size", "60", path("train.tsv"), "--out", path("old.json"), "--overwrite", "--quiet"] + old)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("new.json"))), try Data(contentsOf: URL(fileURLWithPath: path("old.json"))),
                           "\(new) = \(old)")
        }
        let vocabulary = try run(["vocab", "train", "--vocab-size", "60", path("train.tsv"), "--out", path("cased.json"), "--quiet"])
        XCTAssertEqual(vocabulary.status, 0)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: path("cased.json"))), try Data(contentsOf: URL(fileURLWithPath: path("new.json"))))
    }

    /// vocab train reads inputs as the other readers do, so `--column` is a type override there
    /// too; the earlier `--column NAME` gets an error that points at --text-column.
    func testVocabTrainColumnIsATypeOverride() throws {
        let sample = TestEnvironment.repositoryRoot.appendingPathComponent("data/nsmc-sample/train.tsv").path
        let result = try DSPrepBinary.run(["vocab", "train", "--vocab-size", "60", sample, "--column", "document", "--out", "/nonexistent/x.json"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--column takes a column's type as name:type") && result.stderr.contains("--text-column"), result.stderr)
    }
}
