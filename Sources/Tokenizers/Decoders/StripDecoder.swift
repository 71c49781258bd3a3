import DSPrepSupport

/// Removes up to `start` leading and up to `stop` trailing `content` characters from each token
/// (HF `decoders.Strip`). Where HF panics (more to strip than the token has, or the two cuts
/// crossing) the cuts stop at the token's bounds and at each other.
public struct StripDecoder: Decoder {
    public var content: Unicode.Scalar
    public var start: Int
    public var stop: Int

    public init(content: Unicode.Scalar, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            var first = 0
            while first < min(start, scalars.count) && scalars[first] == content { first += 1 }
            var end = scalars.count
            while scalars.count - end < stop && end > first && scalars[end - 1] == content { end -= 1 }
            var output = String.UnicodeScalarView()
            output.append(contentsOf: scalars[first..<end])
            return String(output)
        }
    }

    public var json: JSONValue {
        .object([("type", .string("Strip")), ("content", .string(String(content))),
                 ("start", .number(Double(start))), ("stop", .number(Double(stop)))])
    }
}
