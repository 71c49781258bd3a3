import DSPrepSupport

/// Adds special tokens around one sequence or a pair and sets type ids (HF `PostProcessor`).
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds, so truncation can leave room for them.
    func addedTokenCount(isPair: Bool) -> Int
    /// The sequence (and its pair) as the model sees it; without `addSpecialTokens` only the
    /// sequences, placed and typed as the post-processor says. Overflowing windows of either
    /// sequence are combined as HF combines them (`Encoding.merge(with:)`).
    func process(_ first: Encoding, pair: Encoding?, addSpecialTokens: Bool) -> Encoding
    var json: JSONValue { get }
}

extension PostProcessor {
    public func process(_ first: Encoding, pair: Encoding?) -> Encoding { process(first, pair: pair, addSpecialTokens: true) }
}

/// Builds a post-processor from its tokenizer.json object.
enum PostProcessorFactory {
    static func make(_ json: JSONValue, context: JSONContext) throws -> PostProcessor {
        let type = try context.type(of: json, component: "post_processor")
        switch type {
        case "TemplateProcessing": return try TemplateProcessing(json: json, context: context)
        case "BertProcessing": return try BertProcessing(json: json, context: context)
        default:
            throw context.unsupported("post_processor", type, supported: "TemplateProcessing, BertProcessing")
        }
    }
}
