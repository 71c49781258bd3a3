import DSPrepSupport

/// Splits on punctuation (ASCII punctuation or Unicode P*), keeping it as the behavior says.
public struct PunctuationPreTokenizer: PreTokenizer {
    public var behavior: SplitBehavior
    public init(behavior: SplitBehavior = .isolated) { self.behavior = behavior }
    public func preTokenize(_ string: inout PreTokenizedString) {
        string.split(behavior: behavior) { CharacterClasses.flags($0).contains(.punctuation) }
    }
    public var json: JSONValue { .object([("type", .string("Punctuation")), ("behavior", .string(behavior.rawValue))]) }
}
