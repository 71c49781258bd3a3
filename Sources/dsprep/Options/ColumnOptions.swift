import ArgumentParser

/// `--text-column`, for every command that reads text from a table (or JSON Lines) input.
struct TextColumnOption: ParsableArguments {
    @Option(help: "The text column (default: found by name: document, text, sentence, ...).")
    var textColumn: String?
}

/// `--text-pair-column`, for the commands that encode sentence pairs.
struct TextPairColumnOption: ParsableArguments {
    @Option(help: "The second text of a pair (default, when the text column is found by name: sentence2, hypothesis, ... if present).")
    var textPairColumn: String?
}

/// `--label-column`, for the commands that read labels.
struct LabelColumnOption: ParsableArguments {
    @Option(help: "The label column (default: found by name: label, score, gold_label, ...).")
    var labelColumn: String?
}
