import DSPrepSupport
import Foundation

/// Reading and writing HF `tokenizer.json` files.
public enum TokenizerJSON {
    /// Loads a tokenizer.json; any component dsprep does not support is named in the error.
    public static func load(path: String) throws -> Tokenizer {
        let file = try MappedFile(path: path)
        let json = try JSONValue.parse(file.bytes, path: path)
        return try make(json, path: path)
    }

    public static func make(_ json: JSONValue, path: String) throws -> Tokenizer {
        let context = JSONContext(path: path)
        guard json.objectValue != nil else { throw context.failure("expected a JSON object (a HF tokenizer.json)") }
        func component<T>(_ key: String, _ build: (JSONValue) throws -> T) throws -> T? {
            guard let value = json[key], !value.isNull else { return nil }
            return try build(value)
        }
        let normalizer = try component("normalizer") { try NormalizerFactory.make($0, context: context) }
        let preTokenizer = try component("pre_tokenizer") { try PreTokenizerFactory.make($0, context: context) }
        guard let modelJSON = json["model"] else { throw context.failure("missing field \"model\"") }
        let model = try makeModel(modelJSON, context: context)
        let postProcessor = try component("post_processor") { try PostProcessorFactory.make($0, context: context) }
        let decoder = try component("decoder") { try DecoderFactory.make($0, context: context) }
        let addedTokens = try (json["added_tokens"]?.arrayValue ?? []).map { try AddedToken(json: $0, context: context) }
        let truncation = try component("truncation") { try Truncation(json: $0, context: context) }
        let padding = try component("padding") { try Padding(json: $0, context: context) }
        return try Tokenizer(normalizer: normalizer, preTokenizer: preTokenizer, model: model, postProcessor: postProcessor,
                             decoder: decoder, addedTokens: addedTokens, truncation: truncation, padding: padding)
    }

    static func makeModel(_ json: JSONValue, context: JSONContext) throws -> TokenizerModel {
        // Old files omit the model type; a WordPiece model is recognised by its fields.
        let type = json["type"]?.stringValue ?? (json["continuing_subword_prefix"] != nil ? "WordPiece" : "")
        switch type {
        case "WordPiece":
            guard let vocab = json["vocab"]?.objectValue else { throw context.failure("WordPiece model has no \"vocab\" object") }
            let entries = try vocab.map { token, id -> (String, Int32) in
                guard let value = id.intValue, value >= 0, value <= Int(Int32.max) else {
                    throw context.failure("vocab entry \"\(token)\" has id \(id), expected a non-negative integer")
                }
                return (token, Int32(value))
            }
            return WordPiece(vocabulary: entries, unkToken: try context.optionalString(json, "unk_token") ?? "[UNK]",
                             continuingSubwordPrefix: try context.optionalString(json, "continuing_subword_prefix") ?? "##",
                             maxInputCharsPerWord: try context.optionalInt(json, "max_input_chars_per_word") ?? 100)
        case "Unigram":
            return try makeUnigram(json, context: context)
        default:
            throw context.unsupported("model", type.isEmpty ? "(none)" : type, supported: "WordPiece, Unigram")
        }
    }

    /// The tokenizer as a tokenizer.json document HF tokenizers loads.
    public static func document(for tokenizer: Tokenizer) -> JSONValue {
        let null = JSONValue.null
        var members: [(String, JSONValue)] = [("version", .string("1.0"))]
        members.append(("truncation", tokenizer.truncation?.json ?? null))
        members.append(("padding", tokenizer.padding?.json ?? null))
        members.append(("added_tokens", .array(tokenizer.addedTokens.map(\.json))))
        members.append(("normalizer", tokenizer.normalizer?.json ?? null))
        members.append(("pre_tokenizer", tokenizer.preTokenizer?.json ?? null))
        members.append(("post_processor", tokenizer.postProcessor?.json ?? null))
        members.append(("decoder", tokenizer.decoder?.json ?? null))
        members.append(("model", tokenizer.model.json))
        return .object(members)
    }

    /// Writes tokenizer.json atomically.
    public static func save(_ tokenizer: Tokenizer, to path: String) throws {
        try AtomicOutput.writeFile(Data(document(for: tokenizer).serialized().utf8), to: path)
    }
}
