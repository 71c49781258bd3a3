import DSPrepSupport

/// HF `Whitespace`: the regex `\w+|[^\w\s]+`, i.e. maximal runs of word characters or of other
/// non-space characters; whitespace is dropped.
public struct WhitespacePreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ string: inout PreTokenizedString) {
        string.refine { scalars, piece, output in
            var runStart = 0, runIsWord = false, inRun = false
            for index in piece.lowerBound...piece.upperBound {
                var isSpace = true, isWord = false
                if index < piece.upperBound {
                    let scalar = scalars[index]
                    isSpace = CharacterClasses.flags(scalar).contains(.whitespace)
                    isWord = !isSpace && CharacterClasses.isWordCharacter(scalar)
                }
                if inRun && (isSpace || isWord != runIsWord) {
                    output.append(runStart..<index)
                    inRun = false
                }
                if !isSpace && !inRun {
                    runStart = index
                    runIsWord = isWord
                    inRun = true
                }
            }
        }
    }
    public var json: JSONValue { .object([("type", .string("Whitespace"))]) }
}

/// HF `WhitespaceSplit`: split on whitespace only.
public struct WhitespaceSplit: PreTokenizer {
    public init() {}
    public func preTokenize(_ string: inout PreTokenizedString) {
        string.split(behavior: .removed) { CharacterClasses.flags($0).contains(.whitespace) }
    }
    public var json: JSONValue { .object([("type", .string("WhitespaceSplit"))]) }
}
