import ArgumentParser
import DSPrepSupport
import Foundation
import Training

/// `dsprep train`'s settings on the command line: a flag for each entry of
/// `TrainingArguments.settings` (its `flag`, and any of its other names, with dashes or
/// underscores), read from the arguments ArgumentParser leaves over, and their help, written from
/// the same table.
enum TrainSettingFlags {
    /// The settings `arguments` give, in order, as entries located at their flag.
    static func entries(_ arguments: [String]) throws -> [ConfigFile.Entry] {
        var entries: [ConfigFile.Entry] = []
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ValidationError("unexpected argument '\(argument)': settings are flags, e.g. --train \(argument)")
            }
            var name = String(argument.dropFirst(2)), value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            let key = name.replacingOccurrences(of: "-", with: "_")
            guard TrainingArguments.knows(key) else {
                let suggestion = closestFlag(to: name).map { " (did you mean --\($0)?)" } ?? ""
                throw ValidationError("unknown option '--\(name)'\(suggestion); the settings are listed by `dsprep train --help`")
            }
            if TrainingArguments.setting(named: key)?.isSwitch == true {
                value = value ?? "true"
            } else if value == nil {
                guard let next = remaining.popFirst() else { throw ValidationError("--\(name) needs a value") }
                value = next
            }
            entries.append(ConfigFile.Entry(key: key, value: value ?? "", location: SourceLocation(path: "--" + name)))
        }
        return entries
    }

    /// The setting flag nearest to a mistyped `name` (at most 2 edits), if any.
    private static func closestFlag(to name: String) -> String? {
        let flags = TrainingArguments.settings.map(\.flag)
        let scored = flags.map { (flag: $0, distance: editDistance(Array(name), Array($0))) }
        return scored.filter { $0.distance <= 2 }.min { $0.distance < $1.distance }?.flag
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    // MARK: - Help

    static let help = ArgumentHelp(
        "Settings, as --name value or --name=value; any name a config file takes works as a flag too.",
        discussion: table(), valueName: "setting")

    /// Where the help of a setting starts, as in ArgumentParser's own option lists.
    private static let helpColumn = 26
    /// ArgumentParser indents an argument's discussion by 8 on an 80-column screen and keeps
    /// lines shorter than the 72 columns left.
    private static let width = 71

    /// The settings by section: flag, help, choices, the defaults of each recipe, and the config
    /// key and HF name where they differ from the flag.
    static func table() -> String {
        let recipes = TrainingArguments.Recipe.allCases.map { ($0, TrainingArguments(recipe: $0)) }
        var lines: [String] = []
        for section in TrainingSetting.Section.allCases {
            lines.append((lines.isEmpty ? "" : "\n") + section.rawValue + ":")
            for setting in TrainingArguments.settings where setting.section == section {
                var text = setting.help
                if let choices = setting.choices { text += " One of: " + choices.joined(separator: ", ") + "." }
                let defaults = recipes.map { ($0.0, setting.value(in: $0.1).map(describe)) }
                if !setting.isSwitch, let first = defaults.first?.1 {
                    text += defaults.allSatisfy({ $0.1 == first }) ? " Default: \(first)."
                        : " Default: " + defaults.map { "\($0.0.rawValue) \($0.1 ?? "none")" }.joined(separator: ", ") + "."
                }
                if setting.key != setting.flag.replacingOccurrences(of: "-", with: "_") || setting.hfName != nil {
                    text += " Key: " + setting.key + (setting.hfName.map { " (HF \($0))" } ?? "") + "."
                }
                let label = "  --" + setting.flag + (setting.isSwitch ? "" : " <\(setting.flag)>")
                lines += hanging(label: label, text: text)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ value: JSONValue) -> String {
        value.stringValue ?? value.serialized()
    }

    /// `text` wrapped at `width` from `helpColumn`, after `label` (or below it, when it is too long).
    private static func hanging(label: String, text: String) -> [String] {
        var lines: [String] = []
        var line = String(repeating: " ", count: helpColumn)
        if label.count < helpColumn {
            line = label.padding(toLength: helpColumn, withPad: " ", startingAt: 0)
        } else {
            lines.append(label)
        }
        var lineHasWords = false
        for word in text.split(separator: " ") {
            if lineHasWords && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: helpColumn)
                lineHasWords = false
            }
            line += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        lines.append(line)
        return lines
    }
}
