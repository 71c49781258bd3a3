/// A data type as its Arrow spelling (`int64`, `list<item: string>`), so that a schema can be
/// written into a JSON file (a tokenize plan) and read back exactly.
extension DataType: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let type = Self(arrowName: text[...]) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown data type '\(text)'"))
        }
        self = type
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Parses `description`'s spelling.
    init?(arrowName text: Substring) {
        for (prefix, isLarge) in [("list<item: ", false), ("large_list<item: ", true)] where text.hasPrefix(prefix) && text.hasSuffix(">") {
            guard let element = Self(arrowName: text.dropFirst(prefix.count).dropLast()) else { return nil }
            self = isLarge ? .largeList(element) : .list(element)
            return
        }
        let scalars: [DataType] = [.bool, .int8, .int16, .int32, .int64, .float32, .float64, .string, .largeString]
        guard let type = scalars.first(where: { $0.description == text }) else { return nil }
        self = type
    }
}

extension Field: Codable {
    private enum CodingKeys: String, CodingKey { case name, type, nullable }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(String.self, forKey: .name), try container.decode(DataType.self, forKey: .type),
                  nullable: try container.decodeIfPresent(Bool.self, forKey: .nullable) ?? true)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(nullable, forKey: .nullable)
    }
}
