import DSPrepSupport

/// HF `TemplateProcessing`: templates such as `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`
/// place special tokens and sequences and give each a type id.
public struct TemplateProcessing: PostProcessor {
    public enum Piece: Sendable, Equatable {
        case special(id: String, typeID: Int32)
        /// `first` is sequence A, otherwise B.
        case sequence(first: Bool, typeID: Int32)
    }

    public struct SpecialToken: Sendable, Equatable {
        public var id: String
        public var ids: [Int32]
        public var tokens: [String]
        public init(id: String, ids: [Int32], tokens: [String]) {
            self.id = id
            self.ids = ids
            self.tokens = tokens
        }
    }

    public var single: [Piece]
    public var pair: [Piece]
    public var specialTokens: [String: SpecialToken]

    public init(single: [Piece], pair: [Piece], specialTokens: [SpecialToken]) {
        self.single = single
        self.pair = pair
        self.specialTokens = Dictionary(specialTokens.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses the string form HF's Python API takes: "[CLS] $A [SEP]", "$B:1", "[SEP]:1".
    public init(single: String, pair: String, specialTokens: [SpecialToken]) throws {
        func parse(_ template: String) throws -> [Piece] {
            try template.split(separator: " ").map { item in
                let parts = item.split(separator: ":", maxSplits: 1)
                let name = String(parts[0])
                let typeID = parts.count > 1 ? Int32(parts[1]) : nil
                if parts.count > 1 && typeID == nil { throw InputError("bad type id in template item \"\(item)\"") }
                switch name {
                case "$A", "$": return .sequence(first: true, typeID: typeID ?? 0)
                case "$B": return .sequence(first: false, typeID: typeID ?? 0)
                default:
                    if name.hasPrefix("$"), let number = Int32(name.dropFirst()) { return .sequence(first: true, typeID: number) }
                    return .special(id: name, typeID: typeID ?? 0)
                }
            }
        }
        self.init(single: try parse(single), pair: try parse(pair), specialTokens: specialTokens)
    }

    init(json: JSONValue, context: JSONContext) throws {
        func pieces(_ key: String) throws -> [Piece] {
            try context.array(json, key).map { item in
                if let special = item["SpecialToken"] {
                    return .special(id: try context.string(special, "id"), typeID: Int32(try context.int(special, "type_id")))
                }
                if let sequence = item["Sequence"] {
                    let which = try context.string(sequence, "id")
                    guard which == "A" || which == "B" else { throw context.failure("template sequence id must be A or B, got \"\(which)\"") }
                    return .sequence(first: which == "A", typeID: Int32(try context.int(sequence, "type_id")))
                }
                throw context.failure("template items must be {\"SpecialToken\": ...} or {\"Sequence\": ...}")
            }
        }
        var specials: [SpecialToken] = []
        for (key, value) in try context.value(json, "special_tokens").objectValue ?? [] {
            let ids = try context.array(value, "ids").map { item -> Int32 in
                guard let id = item.intValue else { throw context.failure("special token \"\(key)\" has a non-integer id") }
                return Int32(id)
            }
            let tokens = try context.array(value, "tokens").map { item -> String in
                guard let token = item.stringValue else { throw context.failure("special token \"\(key)\" has a non-string token") }
                return token
            }
            guard ids.count == tokens.count else { throw context.failure("special token \"\(key)\" has \(ids.count) ids but \(tokens.count) tokens") }
            specials.append(SpecialToken(id: try context.string(value, "id"), ids: ids, tokens: tokens))
        }
        self.init(single: try pieces("single"), pair: try pieces("pair"), specialTokens: specials)
        for piece in single + pair {
            if case let .special(id, _) = piece, specialTokens[id] == nil {
                throw context.failure("template uses special token \"\(id)\" missing from special_tokens")
            }
        }
    }

    public func addedTokenCount(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { total, piece in
            if case let .special(id, _) = piece { return total + (specialTokens[id]?.ids.count ?? 0) }
            return total
        }
    }

    /// Merges the template's pieces one after another (HF `TemplateProcessing::apply_template`
    /// then `Encoding::merge`), so overflowing windows of either sequence come out combined with
    /// the special tokens and the other sequence as HF combines them.
    public func process(_ first: Encoding, pair second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var result = Encoding()
        for piece in second == nil ? single : pair {
            switch piece {
            case let .special(id, typeID):
                guard addSpecialTokens, let special = specialTokens[id] else { continue }
                result.merge(with: Encoding(specialIDs: special.ids, tokens: special.tokens, typeID: typeID))
            case let .sequence(isFirst, typeID):
                guard var sequence = isFirst ? first : second else { continue }
                // As HF: the template's type id goes on the sequence, not on its overflowing
                // windows (those keep the type id they were encoded with, 0 or 1).
                sequence.typeIds = Array(repeating: typeID, count: sequence.ids.count)
                result.merge(with: sequence)
            }
        }
        return result
    }

    public var json: JSONValue {
        func encode(_ pieces: [Piece]) -> JSONValue {
            .array(pieces.map { piece in
                switch piece {
                case let .special(id, typeID):
                    return .object([("SpecialToken", .object([("id", .string(id)), ("type_id", .number(Double(typeID)))]))])
                case let .sequence(first, typeID):
                    return .object([("Sequence", .object([("id", .string(first ? "A" : "B")), ("type_id", .number(Double(typeID)))]))])
                }
            })
        }
        let specials = specialTokens.values.sorted { $0.id < $1.id }.map { special in
            (special.id, JSONValue.object([("id", .string(special.id)), ("ids", .array(special.ids.map { .number(Double($0)) })),
                                           ("tokens", .array(special.tokens.map(JSONValue.string)))]))
        }
        return .object([("type", .string("TemplateProcessing")), ("single", encode(single)), ("pair", encode(pair)),
                        ("special_tokens", .object(specials))])
    }
}
