import DSPrepSupport

/// Splits numbers off: each digit alone, or runs of digits together.
public struct DigitsPreTokenizer: PreTokenizer {
    public var individualDigits: Bool
    public init(individualDigits: Bool = false) { self.individualDigits = individualDigits }
    public func preTokenize(_ string: inout PreTokenizedString) {
        string.split(behavior: individualDigits ? .isolated : .contiguous, where: CharacterClasses.isNumeric)
    }
    public var json: JSONValue { .object([("type", .string("Digits")), ("individual_digits", .bool(individualDigits))]) }
}
