import DSPrepSupport
import Foundation

/// The files that make a bi-encoder checkpoint a sentence-transformers model folder beside the
/// transformers files (config.json, model.safetensors, tokenizer): the module list (Transformer,
/// then Pooling), the mean-pooling settings, the encoder's maximum sequence length and cosine as
/// the similarity, so `SentenceTransformer(folder)` embeds texts as dsprep trained them.
enum SentenceTransformersFiles {
    static let poolingFolder = "1_Pooling"

    static func write(hiddenSize: Int, maxSequenceLength: Int, in folder: String) throws {
        let modules: JSONValue = .array([
            .object([("idx", .number(0)), ("name", .string("0")), ("path", .string("")),
                     ("type", .string("sentence_transformers.models.Transformer"))]),
            .object([("idx", .number(1)), ("name", .string("1")), ("path", .string(poolingFolder)),
                     ("type", .string("sentence_transformers.models.Pooling"))]),
        ])
        let transformer: JSONValue = .object([("max_seq_length", .number(Double(maxSequenceLength))), ("do_lower_case", .bool(false))])
        let pooling: JSONValue = .object([
            ("word_embedding_dimension", .number(Double(hiddenSize))), ("pooling_mode_cls_token", .bool(false)),
            ("pooling_mode_mean_tokens", .bool(true)), ("pooling_mode_max_tokens", .bool(false)),
            ("pooling_mode_mean_sqrt_len_tokens", .bool(false)), ("pooling_mode_weightedmean_tokens", .bool(false)),
            ("pooling_mode_lasttoken", .bool(false)), ("include_prompt", .bool(true)),
        ])
        let settings: JSONValue = .object([("similarity_fn_name", .string("cosine"))])
        try FileManager.default.createDirectory(atPath: folder + "/" + poolingFolder, withIntermediateDirectories: false)
        for (document, name) in [(modules, "modules.json"), (transformer, "sentence_bert_config.json"),
                                 (pooling, poolingFolder + "/config.json"), (settings, "config_sentence_transformers.json")] {
            try AtomicOutput.writeFile(Data(document.sortedFileText.utf8), to: folder + "/" + name)
        }
    }
}
