import DSPrepSupport

/// Padding to a fixed length or to the longest encoding of a batch (HF `PaddingParams`).
public struct Padding: Sendable, Equatable {
    public enum Strategy: Sendable, Equatable { case batchLongest, fixed(Int) }
    public enum Direction: String, Sendable { case left = "Left", right = "Right" }

    public var strategy: Strategy
    public var direction: Direction
    public var padToMultipleOf: Int?
    public var padID: Int32
    public var padTypeID: Int32
    public var padToken: String

    public init(strategy: Strategy = .batchLongest, direction: Direction = .right, padToMultipleOf: Int? = nil,
                padID: Int32 = 0, padTypeID: Int32 = 0, padToken: String = "[PAD]") {
        self.strategy = strategy
        self.direction = direction
        self.padToMultipleOf = padToMultipleOf
        self.padID = padID
        self.padTypeID = padTypeID
        self.padToken = padToken
    }

    init(json: JSONValue, context: JSONContext) throws {
        let strategyJSON = try context.value(json, "strategy")
        let strategy: Strategy
        if strategyJSON.stringValue == "BatchLongest" {
            strategy = .batchLongest
        } else if strategyJSON["Fixed"] != nil {
            strategy = .fixed(try context.int(strategyJSON, "Fixed"))
        } else {
            throw context.failure("padding strategy must be \"BatchLongest\" or {\"Fixed\": n}")
        }
        let directionName = try context.optionalString(json, "direction") ?? "Right"
        guard let direction = Direction(rawValue: directionName) else { throw context.failure("unknown padding direction \"\(directionName)\"") }
        self.init(strategy: strategy, direction: direction, padToMultipleOf: try context.optionalInt(json, "pad_to_multiple_of"),
                  padID: Int32(try context.optionalInt(json, "pad_id") ?? 0),
                  padTypeID: Int32(try context.optionalInt(json, "pad_type_id") ?? 0),
                  padToken: try context.optionalString(json, "pad_token") ?? "[PAD]")
    }

    public var json: JSONValue {
        let strategyJSON: JSONValue
        switch strategy {
        case .batchLongest: strategyJSON = .string("BatchLongest")
        case let .fixed(length): strategyJSON = .object([("Fixed", .number(Double(length)))])
        }
        return .object([("strategy", strategyJSON), ("direction", .string(direction.rawValue)),
                        ("pad_to_multiple_of", padToMultipleOf.map { .number(Double($0)) } ?? .null),
                        ("pad_id", .number(Double(padID))), ("pad_type_id", .number(Double(padTypeID))),
                        ("pad_token", .string(padToken))])
    }

    /// The length every encoding of a batch is padded to.
    func targetLength(longest: Int) -> Int {
        var length: Int
        switch strategy {
        case .batchLongest: length = longest
        case let .fixed(fixed): length = fixed
        }
        if let multiple = padToMultipleOf, multiple > 0, length % multiple != 0 { length += multiple - length % multiple }
        return length
    }

    /// Pads the batch in place (overflowing windows too, as HF does).
    func apply(_ encodings: inout [Encoding]) {
        let longest = encodings.map(\.ids.count).max() ?? 0
        let target = targetLength(longest: longest)
        for index in encodings.indices { encodings[index].pad(to: target, with: self) }
    }
}

extension Encoding {
    mutating func pad(to length: Int, with padding: Padding) {
        for index in overflowing.indices { overflowing[index].pad(to: length, with: padding) }
        let missing = length - ids.count
        guard missing > 0 else { return }
        func extend<T>(_ array: inout [T], _ value: T) {
            if padding.direction == .right {
                array += repeatElement(value, count: missing)
            } else {
                array.insert(contentsOf: repeatElement(value, count: missing), at: 0)
            }
        }
        extend(&ids, padding.padID)
        extend(&tokens, padding.padToken)
        extend(&offsets, (0, 0))
        extend(&typeIds, padding.padTypeID)
        extend(&attentionMask, 0)
        extend(&specialTokensMask, 1)
    }
}

extension Padding {
    public var isBatchLongest: Bool { if case .batchLongest = strategy { return true } else { return false } }
}

extension Tokenizer {
    /// `encoding` padded to `length` (rounded up to `pad_to_multiple_of`) with this tokenizer's
    /// padding settings; unchanged when the tokenizer has none.
    public func padded(_ encoding: Encoding, to length: Int) -> Encoding {
        guard let padding else { return encoding }
        var result = encoding
        result.pad(to: padding.targetLength(longest: length), with: padding)
        return result
    }
}
