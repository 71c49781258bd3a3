import DSPrepSupport

/// HF `Whitespace`: the regex `\w+|[^\w\s]+`, i.e. maximal runs of word characters or of other
/// non-space characters; whitespace is dropped.
public struct WhitespacePreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ pieces: inout [NormalizedString]) {
        pieces.refine { piece in
            var result: [NormalizedString] = []
            var runStart = 0, runIsWord = false, inRun = false
            for index in 0...piece.count {
                var isSpace = true, isWord = false
                if index < piece.count {
                    let scalar = piece.scalars[index]
                    isSpace = CharacterClasses.flags(scalar).contains(.whitespace)
                    isWord = !isSpace && CharacterClasses.isWordCharacter(scalar)
                }
                if inRun && (isSpace || isWord != runIsWord) {
                    result.append(piece.slice(runStart..<index))
                    inRun = false
                }
                if !isSpace && !inRun {
                    runStart = index
                    runIsWord = isWord
                    inRun = true
                }
            }
            return result
        }
    }
    public var json: JSONValue { .object([("type", .string("Whitespace"))]) }
}

/// HF `WhitespaceSplit`: split on whitespace only.
public struct WhitespaceSplit: PreTokenizer {
    public init() {}
    public func preTokenize(_ pieces: inout [NormalizedString]) {
        pieces.refine { $0.split(behavior: .removed) { CharacterClasses.flags($0).contains(.whitespace) } }
    }
    public var json: JSONValue { .object([("type", .string("WhitespaceSplit"))]) }
}
