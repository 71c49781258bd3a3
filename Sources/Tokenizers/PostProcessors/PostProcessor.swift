import DSPrepSupport

/// Adds special tokens around one sequence or a pair and sets type ids (HF `PostProcessor`).
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds, so truncation can leave room for them.
    func addedTokenCount(isPair: Bool) -> Int
    func process(_ first: Encoding, pair: Encoding?) -> Encoding
    var json: JSONValue { get }
}

extension Encoding {
    /// Appends `other` (HF `Encoding::merge_with` without growing offsets: offsets stay relative
    /// to each sequence's own text, as HF reports them).
    mutating func append(_ other: Encoding, typeID: Int32? = nil) {
        ids += other.ids
        tokens += other.tokens
        offsets += other.offsets
        typeIds += typeID.map { Array(repeating: $0, count: other.ids.count) } ?? other.typeIds
        attentionMask += other.attentionMask
        specialTokensMask += other.specialTokensMask
    }

    mutating func appendSpecial(ids newIDs: [Int32], tokens newTokens: [String], typeID: Int32) {
        ids += newIDs
        tokens += newTokens
        offsets += Array(repeating: (0, 0), count: newIDs.count)
        typeIds += Array(repeating: typeID, count: newIDs.count)
        attentionMask += Array(repeating: 1, count: newIDs.count)
        specialTokensMask += Array(repeating: 1, count: newIDs.count)
    }

    /// Concatenation without special tokens (HF `default_process`): the pair keeps type id 1.
    static func merged(_ first: Encoding, _ pair: Encoding?) -> Encoding {
        guard let pair else { return first }
        var result = first
        result.append(pair)
        result.overflowing = first.overflowing.map { var window = $0; window.append(pair); return window }
        return result
    }
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
