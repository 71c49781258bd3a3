import DSPrepSupport

/// HF `BertProcessing`: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` (B and its [SEP] type 1).
public struct BertProcessing: PostProcessor {
    public var sep: (token: String, id: Int32)
    public var cls: (token: String, id: Int32)
    /// The equivalent template (BertProcessing is a fixed TemplateProcessing).
    let template: TemplateProcessing

    public init(sep: (String, Int32), cls: (String, Int32)) {
        self.sep = sep
        self.cls = cls
        template = TemplateProcessing(
            single: [.special(id: cls.0, typeID: 0), .sequence(first: true, typeID: 0), .special(id: sep.0, typeID: 0)],
            pair: [.special(id: cls.0, typeID: 0), .sequence(first: true, typeID: 0), .special(id: sep.0, typeID: 0),
                   .sequence(first: false, typeID: 1), .special(id: sep.0, typeID: 1)],
            specialTokens: [.init(id: cls.0, ids: [cls.1], tokens: [cls.0]), .init(id: sep.0, ids: [sep.1], tokens: [sep.0])])
    }

    init(json: JSONValue, context: JSONContext) throws {
        func pair(_ key: String) throws -> (String, Int32) {
            let items = try context.array(json, key)
            guard items.count == 2, let token = items[0].stringValue, let id = items[1].intValue else {
                throw context.failure("BertProcessing \"\(key)\" must be [token, id]")
            }
            return (token, Int32(id))
        }
        self.init(sep: try pair("sep"), cls: try pair("cls"))
    }

    public func addedTokenCount(isPair: Bool) -> Int { isPair ? 3 : 2 }
    /// HF's BertProcessing wraps each sequence and each of its windows in its specials, then
    /// merges: the same encodings, windows and order as this template gives.
    public func process(_ first: Encoding, pair: Encoding?, addSpecialTokens: Bool) -> Encoding {
        template.process(first, pair: pair, addSpecialTokens: addSpecialTokens)
    }
    public var json: JSONValue {
        .object([("type", .string("BertProcessing")),
                 ("sep", .array([.string(sep.token), .number(Double(sep.id))])),
                 ("cls", .array([.string(cls.token), .number(Double(cls.id))]))])
    }
}
