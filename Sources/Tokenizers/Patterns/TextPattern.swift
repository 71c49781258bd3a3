import DSPrepSupport

/// What `Replace` and `Split` look for (HF `ReplacePattern` / `SplitPattern`): a literal string
/// or a regular expression, in tokenizer.json `{"String": ...}` or `{"Regex": ...}`.
public enum TextPattern: Sendable {
    case literal(String)
    case regex(RegularExpression)

    /// Reads `{"String": ...}` or `{"Regex": ...}`, compiling a regex once, here.
    static func make(_ json: JSONValue, context: JSONContext, component: String) throws -> TextPattern {
        if let literal = json["String"]?.stringValue { return .literal(literal) }
        if let regex = json["Regex"]?.stringValue {
            do {
                return .regex(try RegularExpression(regex, source: SourceLocation(path: context.path)))
            } catch let error as InputError {
                throw context.failure("\(component): \(error.message)", hint: error.hint)
            }
        }
        throw context.failure("field \"pattern\" of \"\(component)\" must be {\"String\": ...} or {\"Regex\": ...}")
    }

    public var json: JSONValue {
        switch self {
        case .literal(let text): return .object([("String", .string(text))])
        case .regex(let regex): return .object([("Regex", .string(regex.pattern))])
        }
    }

    /// The non-overlapping matches in `scalars`, left to right, as HF finds them. HF compiles a
    /// literal as an escaped regex, so the empty literal (like the empty regex) matches the empty
    /// string at every position, and nothing matches in empty text.
    public func matches(in scalars: [UInt32]) throws -> [Range<Int>] {
        var result: [Range<Int>] = []
        try scalars.withUnsafeBufferPointer { try forEachMatch(in: $0) { result.append($0) } }
        return result
    }

    /// Calls `body` with each of the matches `matches(in:)` lists, without collecting them.
    func forEachMatch(in scalars: UnsafeBufferPointer<UInt32>, _ body: (Range<Int>) throws -> Void) throws {
        guard !scalars.isEmpty else { return }
        switch self {
        case .regex(let regex):
            try regex.forEachMatch(in: scalars, body)
        case .literal(let text):
            try TextPattern.forEachLiteralMatch(of: text.unicodeScalars.map(\.value), in: scalars, body)
        }
    }

    /// Occurrences of `needle`, left to right, without overlap (every position when it is empty).
    static func literalMatches(of needle: [UInt32], in scalars: [UInt32]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        scalars.withUnsafeBufferPointer { forEachLiteralMatch(of: needle, in: $0) { result.append($0) } }
        return result
    }

    static func forEachLiteralMatch(of needle: [UInt32], in scalars: UnsafeBufferPointer<UInt32>,
                                    _ body: (Range<Int>) throws -> Void) rethrows {
        guard !scalars.isEmpty else { return }
        if needle.isEmpty {
            for index in 0...scalars.count { try body(index..<index) }
            return
        }
        var index = 0
        while index + needle.count <= scalars.count {
            if scalars[index..<index + needle.count].elementsEqual(needle) {
                try body(index..<index + needle.count)
                index += needle.count
            } else {
                index += 1
            }
        }
    }
}
