import ArgumentParser
import DSPrepSupport

@main
struct DSPrep: ParsableCommand {
    /// ArgumentParser's main, with Foundation's file errors turned into plain messages.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: InputError.userFacing(error))
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "dsprep",
        abstract: "Datasets, tokenizers and a compact trainer for text classification, in one tool.",
        subcommands: [
            IngestCommand.self,
            TokenizeCommand.self,
            MergeCommand.self,
            DatasetCommand.self,
            CacheCommand.self,
            Encode.self,
            Decode.self,
            Inspect.self,
            TrainCommand.self,
            EvaluateCommand.self,
            PredictCommand.self,
            VocabCommand.self,
        ])
}
