import DSPrepSupport
import Foundation
import Preprocessing
import Tokenizers

/// Fine-tuning needs the ids the model was pretrained on: shards from another tokenizer would
/// train nonsense without any error. `dsprep tokenize` records its tokenizer in the shards; this
/// compares that tokenizer's file (by content, so copies match) with the model's.
enum TokenizerMatch {
    /// The file a tokenizer path stands for (`TokenizerPath.file`), if it names one.
    static func file(_ path: String) -> String? { try? TokenizerPath(path).file }

    /// Throws unless the shards at `shards` were tokenized with `tokenizer`. Returns a note when
    /// it cannot tell (shards not written by `dsprep tokenize`, or their tokenizer is gone).
    static func check(shards: String, tokenizer: String) throws -> String? {
        guard let recorded = TokenizeRun.recordedTokenizerPath(in: shards) else {
            return "note: \(shards) does not record its tokenizer; make sure it is \(tokenizer)"
        }
        guard let modelFile = file(tokenizer) else {
            throw InputError("no tokenizer.json or vocab.txt", at: SourceLocation(path: tokenizer))
        }
        guard let shardFile = file(recorded), let shardBytes = FileManager.default.contents(atPath: shardFile) else {
            return "note: \(shards) was tokenized with \(recorded), which is gone; make sure it equals \(modelFile)"
        }
        guard shardBytes == FileManager.default.contents(atPath: modelFile) else {
            throw InputError("these shards were tokenized with \(shardFile), but the model's tokenizer is \(modelFile)",
                             at: SourceLocation(path: shards), hint: "tokenize again with --tokenizer \(tokenizer)")
        }
        return nil
    }
}
