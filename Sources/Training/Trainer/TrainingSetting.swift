import DSPrepSupport

/// One setting of a training run, described once: its names (the key of config files and
/// `training_args.json`, the command-line flag, HF `TrainingArguments`' name, earlier spellings),
/// its type, the rule its value obeys and its help. The table of them
/// (`TrainingArguments.settings`) is where `dsprep train`'s flags and help, the config keys, the
/// checks and `training_args.json` all come from; the defaults are the fields' values in
/// `TrainingArguments(recipe:)`.
public struct TrainingSetting: Sendable {
    /// The groups of `dsprep train --help`.
    public enum Section: String, Sendable, CaseIterable {
        case data = "Data and output"
        case model = "Model"
        case loop = "Training loop"
        case optimizer = "Optimizer and schedule"
        case evaluation = "Evaluation and checkpoints"
    }

    /// The name in config files and `training_args.json` (snake_case).
    public let key: String
    /// The command-line flag, without its dashes.
    public let flag: String
    /// HF `TrainingArguments`' name, when it is not `key`.
    public let hfName: String?
    /// Other accepted names (dsprep's earlier spellings, HF model config names), in configs and as flags.
    public let aliases: [String]
    public let section: Section
    public let help: String
    /// A flag without a value (`--freeze-embeddings`); a config file gives it true or false.
    public let isSwitch: Bool
    /// The values an enumerated setting takes.
    public let choices: [String]?
    /// Parses `text` (found under `name` at `location`) into the setting's field(s).
    let assign: @Sendable (inout TrainingArguments, _ text: String, _ name: String, _ location: SourceLocation?) throws -> Void
    /// The value as `training_args.json` records it; nil when unset (or for a shorthand of other settings).
    let record: @Sendable (TrainingArguments) -> JSONValue?
    /// What the value must satisfy, when it breaks the setting's rule.
    let violation: @Sendable (TrainingArguments) -> String?

    /// Every name the setting answers to, with underscores.
    public var names: [String] {
        [key, flag.replacingOccurrences(of: "-", with: "_")] + (hfName.map { [$0] } ?? []) + aliases
    }

    public func value(in arguments: TrainingArguments) -> JSONValue? { record(arguments) }

    /// The setting's value must satisfy this (checked where it is read, so the error names the
    /// file line or flag, and again by `TrainingArguments.validate()`).
    public struct Rule: Sendable {
        let holds: @Sendable (Double) -> Bool
        let requirement: String

        public static func atLeast(_ bound: Int) -> Rule {
            Rule(holds: { $0 >= Double(bound) }, requirement: bound == 0 ? "must not be negative" : "must be at least \(bound)")
        }
        public static let positive = Rule(holds: { $0 > 0 && $0.isFinite }, requirement: "must be positive")
        public static let fraction = Rule(holds: { $0 >= 0 && $0 < 1 }, requirement: "must be in [0, 1)")
    }
}

extension TrainingSetting {
    /// A setting held in one field: its text is parsed as `V`, checked against `rule`.
    init<V: SettingValue>(_ key: String, _ field: WritableKeyPath<TrainingArguments, V> & Sendable, _ section: Section,
                          flag: String? = nil, hf: String? = nil, aliases: [String] = [], rule: Rule? = nil,
                          parse: (@Sendable (String) -> V?)? = nil, help: String) {
        let parse = parse ?? V.parse
        self.init(key: key, flag: flag ?? key.replacingOccurrences(of: "_", with: "-"), hfName: hf, aliases: aliases,
                  section: section, help: help, isSwitch: V.self == Bool.self, choices: V.choices,
                  assign: { arguments, text, name, location in
                      guard let value = parse(text) else {
                          throw InputError("\(name) expects \(V.expected), got \"\(text)\"", at: location)
                      }
                      if let rule, let number = value.number, !rule.holds(number) {
                          throw InputError("\(name) \(rule.requirement), got \(text)", at: location)
                      }
                      arguments[keyPath: field] = value
                  },
                  record: { $0[keyPath: field].json },
                  violation: { arguments in
                      guard let rule, let number = arguments[keyPath: field].number, !rule.holds(number) else { return nil }
                      return "\(key) \(rule.requirement), got \(arguments[keyPath: field].json.map { $0.serialized() } ?? "")"
                  })
    }
}

/// A value a setting holds, read from its text in a config file or on the command line.
public protocol SettingValue: Sendable {
    /// The value `text` spells, or nil.
    static func parse(_ text: String) -> Self?
    /// What `parse` accepts, for errors: "a number", "one of epoch, steps, no".
    static var expected: String { get }
    /// The value in `training_args.json`; nil leaves the key out.
    var json: JSONValue? { get }
    /// The value as a number, for the setting's rule; nil for values that are not numbers.
    var number: Double? { get }
    /// The values an enumeration takes; nil for other types.
    static var choices: [String]? { get }
}

extension SettingValue {
    public var number: Double? { nil }
    public static var choices: [String]? { nil }
}

extension Int: SettingValue {
    /// Configs write counts as 1e4 too: a whole number in any notation.
    public static func parse(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard let value = Double(text), value == value.rounded(), abs(value) < 1e15 else { return nil }
        return Int(value)
    }
    public static var expected: String { "a whole number" }
    public var json: JSONValue? { .number(Double(self)) }
    public var number: Double? { Double(self) }
}

extension UInt64: SettingValue {
    /// At most 2^53 − 1: a seed is written into training_args.json and trainer_state.json, and JSON
    /// numbers are exact only that far.
    public static func parse(_ text: String) -> UInt64? {
        UInt64(text).flatMap { Double($0) <= JSONValue.largestExactInteger ? $0 : nil }
    }
    public static var expected: String { "a whole number from 0 to 2^53 − 1" }
    public var json: JSONValue? { .number(Double(self)) }
    public var number: Double? { Double(self) }
}

extension Double: SettingValue {
    public static func parse(_ text: String) -> Double? { Double(text) }
    public static var expected: String { "a number" }
    public var json: JSONValue? { .number(self) }
    public var number: Double? { self }
}

extension Float: SettingValue {
    public static func parse(_ text: String) -> Float? { Float(text) }
    public static var expected: String { "a number" }
    /// The shortest decimal that reads back as this Float (5e-05, not 4.999999873689376e-05).
    public var json: JSONValue? { .number(Double(description) ?? Double(self)) }
    public var number: Double? { Double(self) }
}

extension Bool: SettingValue {
    public static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: return nil
        }
    }
    public static var expected: String { "true or false" }
    public var json: JSONValue? { .bool(self) }
}

extension String: SettingValue {
    public static func parse(_ text: String) -> String? { text }
    public static var expected: String { "text" }
    public var json: JSONValue? { .string(self) }
}

/// An unset value: YAML's null (`~`, `null`), Python's `None`, or nothing.
extension Optional: SettingValue where Wrapped: SettingValue {
    public static func parse(_ text: String) -> Wrapped?? {
        if ["null", "none", "~", ""].contains(text.lowercased()) { return .some(nil) }
        return Wrapped.parse(text).map { .some($0) }
    }
    public static var expected: String { Wrapped.expected }
    public static var choices: [String]? { Wrapped.choices }
    public var json: JSONValue? { self?.json }
    public var number: Double? { self?.number }
}

/// The choices of an enumeration, by name (any case).
extension SettingValue where Self: RawRepresentable & CaseIterable, RawValue == String {
    public static func parse(_ text: String) -> Self? { Self(rawValue: text.lowercased()) }
    public static var expected: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    public static var choices: [String]? { allCases.map(\.rawValue) }
    public var json: JSONValue? { .string(rawValue) }
}

extension TrainingArguments.ModelKind: SettingValue {}
extension TrainingArguments.TaskKind: SettingValue {}
extension TrainingArguments.EvalStrategy: SettingValue {}
extension Schedule.Kind: SettingValue {}
extension BertConfiguration.SimilarityLoss: SettingValue {}
