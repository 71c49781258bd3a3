import ArgumentParser

@main
struct DSPrep: ParsableCommand {
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
