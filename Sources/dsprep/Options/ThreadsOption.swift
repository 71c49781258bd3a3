import ArgumentParser
import Foundation

/// `--threads`, for the commands that work on all cores.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads (default: all cores). The output is the same whatever the count.")
    var threads: Int?

    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }
}
