import ArgumentParser
import DSPrepSupport

/// `--seed`, for the commands that draw random numbers; the same default everywhere (train's
/// `seed` setting too).
struct SeedOption: ParsableArguments {
    @Option(help: "Seed of the random choices; the same seed gives the same output.")
    var seed: UInt64 = SeededGenerator.defaultSeed
}
