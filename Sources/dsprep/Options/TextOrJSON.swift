import ArgumentParser

/// `--output-format text|json` of the commands that print text a person reads or one JSON value
/// per result (`encode` adds its own formats).
enum TextOrJSON: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
