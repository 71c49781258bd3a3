import DSPrepSupport

/// Turns the replacement character back into spaces (HF `decoders.Metaspace`): in the first
/// token every replacement character is dropped unless the prepend scheme is `never` (HF drops
/// all of them there, not only the one it prepended); in the others each becomes a space.
/// `split` only matters to the pre-tokenizer; it is kept so the file round-trips.
public struct MetaspaceDecoder: Decoder {
    public typealias PrependScheme = MetaspacePreTokenizer.PrependScheme

    public var replacement: Unicode.Scalar
    public var prependScheme: PrependScheme
    public var split: Bool

    public init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    /// HF's reading: `replacement` is required; `prepend_scheme` defaults to always; the older
    /// `add_prefix_space: false` is accepted only beside `prepend_scheme: "never"`.
    init(_ json: JSONValue, context: JSONContext) throws {
        let replacement = try DecoderFactory.character(json, "replacement", context: context)
        var scheme = PrependScheme.always
        if json["prepend_scheme"] != nil {
            let name = try context.string(json, "prepend_scheme")
            guard let parsed = PrependScheme(rawValue: name) else {
                throw context.failure("prepend_scheme \"\(name)\" of the Metaspace decoder is not always, first or never")
            }
            scheme = parsed
        }
        if try context.optionalBool(json, "add_prefix_space") == false && scheme != .never {
            throw context.failure("the Metaspace decoder's add_prefix_space: false does not match its prepend_scheme \"\(scheme.rawValue)\"",
                                  hint: "HF tokenizers rejects this too; write \"prepend_scheme\": \"never\"")
        }
        self.init(replacement: replacement, prependScheme: scheme, split: try context.bool(json, "split", default: true))
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            let dropsReplacement = index == 0 && prependScheme != .never
            var output = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar != replacement {
                    output.append(scalar)
                } else if !dropsReplacement {
                    output.append(" ")
                }
            }
            return String(output)
        }
    }

    public var json: JSONValue {
        .object([("type", .string("Metaspace")), ("replacement", .string(String(replacement))),
                 ("prepend_scheme", .string(prependScheme.rawValue)), ("split", .bool(split))])
    }
}
