import Foundation
import TestSupport
import XCTest

/// Every command's `--help` equals its committed page in `Tests/CLITests/HelpPages/` (named after
/// the command: `dsprep-dataset-split.txt`). `DSPREP_RECORD_HELP=1` writes the pages instead, after
/// a change to a command's flags or texts; the diff then shows what a user sees change.
final class HelpSnapshotTests: XCTestCase {
    func testEveryHelpPageMatchesItsSnapshot() throws {
        let record = ProcessInfo.processInfo.environment["DSPREP_RECORD_HELP"] == "1"
        var expected = Set<String>()
        for command in try HelpPages.commands() {
            let name = (["dsprep"] + command).joined(separator: "-") + ".txt"
            expected.insert(name)
            let page = try HelpPages.help(command)
            let file = HelpPages.snapshots.appendingPathComponent(name)
            if record {
                try FileManager.default.createDirectory(at: HelpPages.snapshots, withIntermediateDirectories: true)
                try page.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            guard let snapshot = try? String(contentsOf: file, encoding: .utf8) else {
                XCTFail("no help page \(file.path) for `dsprep \(command.joined(separator: " "))`: record it with DSPREP_RECORD_HELP=1")
                continue
            }
            XCTAssertEqual(page, snapshot, "`dsprep \(command.joined(separator: " ")) --help` changed: record it with DSPREP_RECORD_HELP=1")
        }
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: HelpPages.snapshots.path))
        XCTAssertEqual(committed.subtracting(expected), [], "help pages of commands that no longer exist")
    }

    /// Help texts are written as paragraphs and wrapped once, by ArgumentParser: no line of a page
    /// is longer than the screen, and no paragraph is broken early by a second wrapping.
    func testHelpIsWrappedOnce() throws {
        for command in try HelpPages.commands() {
            let lines = try HelpPages.help(command).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where !line.hasPrefix("USAGE:") {
                XCTAssertLessThanOrEqual(line.count, 80, "dsprep \(command.joined(separator: " ")): \(line)")
                // A line that ends well short of the width although the next line's first word
                // would have fit was wrapped twice.
                guard index + 1 < lines.count, let next = lines[index + 1].split(separator: " ").first,
                      !line.isEmpty, !next.hasPrefix("-"), !next.hasPrefix("<"), !next.hasSuffix(":") else { continue }
                // Prose (indent 0) and help continuation lines (indent 26 and more), not list entries.
                let indent = { (text: Substring) in text.prefix { $0 == " " }.count }
                guard indent(lines[index + 1]) == indent(line), indent(line) == 0 || indent(line) >= 26 else { continue }
                XCTAssertGreaterThan(line.count + 1 + next.count, 79,
                                     "dsprep \(command.joined(separator: " ")): wrapped early before \"\(next)\": \(line)")
            }
        }
    }
}
