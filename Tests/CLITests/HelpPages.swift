import Foundation
import TestSupport

/// Every subcommand's `--help`, as an 80-column terminal shows it, and the flags it lists.
enum HelpPages {
    /// A flag as a help page lists it: `--out` with its value (`<out>`), or a switch.
    struct Flag: Hashable {
        var name: String
        var value: String?
        /// The flag's lines: its label and its help text.
        var text: String

        /// How the README's flag table writes it: `--out <out>`, `--quiet`.
        var label: String { name + (value.map { " " + $0 } ?? "") }
    }

    /// The help pages' folder of committed snapshots.
    static let snapshots = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/CLITests/HelpPages")

    /// `dsprep COMMAND... --help`, at a fixed width so the pages do not depend on the terminal.
    static func help(_ command: [String]) throws -> String {
        let result = try DSPrepBinary.run(command + ["--help"], environment: ["COLUMNS": "80", "LINES": "50"])
        guard result.status == 0 else { throw HelpFailure(message: "\(command) --help exited with \(result.status): \(result.stderr)") }
        return result.stdout
    }

    /// Every command, by following the SUBCOMMANDS sections from `dsprep` down: [] is `dsprep`
    /// itself, ["dataset", "split"] is `dsprep dataset split`.
    static func commands() throws -> [[String]] {
        var found: [[String]] = []
        var pending: [[String]] = [[]]
        while let command = pending.popLast() {
            found.append(command)
            pending += subcommands(in: try help(command)).reversed().map { command + [$0] }
        }
        return found
    }

    /// The commands that do something (not just group others), by name: "dataset split".
    static func leafCommands() throws -> [String: String] {
        var pages: [String: String] = [:]
        for command in try commands() {
            let page = try help(command)
            if subcommands(in: page).isEmpty { pages[command.joined(separator: " ")] = page }
        }
        return pages
    }

    static func subcommands(in page: String) -> [String] {
        guard let section = page.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [] }
        return section.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.isEmpty }
            .compactMap { line in
                guard line.hasPrefix("  "), line.dropFirst(2).first?.isLetter == true else { return nil }
                return line.dropFirst(2).split(separator: " ").first.map(String.init)
            }
    }

    /// The flags a page lists after its usage line: ArgumentParser's options (indented 2) and the
    /// settings `train` lists in its arguments' discussion (indented 10). `-h, --help` is left out.
    static func flags(in page: String) -> [Flag] {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("USAGE:") }
        var flags: [Flag] = []
        for line in lines {
            let indent = line.prefix { $0 == " " }.count
            let label = line.dropFirst(indent)
            if (2...10).contains(indent), label.hasPrefix("--") || label.hasPrefix("-") && label.dropFirst(2).hasPrefix(", --") {
                let words = label.split(separator: " ").map(String.init)
                guard let position = words.firstIndex(where: { $0.hasPrefix("--") }), words[position] != "--help" else { continue }
                let value = words.dropFirst(position + 1).first.flatMap { $0.hasPrefix("<") && $0.hasSuffix(">") ? $0 : nil }
                flags.append(Flag(name: words[position], value: value, text: String(line)))
            } else if indent > 10, !flags.isEmpty {
                flags[flags.count - 1].text += "\n" + line
            }
        }
        return flags
    }

    struct HelpFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
