import ArgumentParser

/// `--quiet`, for the commands that show progress.
struct QuietFlag: ParsableArguments {
    @Flag(help: "No progress display.")
    var quiet = false
}
