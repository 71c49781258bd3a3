import CICU

/// Which substrings may become pieces (sentencepiece's `TrainerInterface::IsValidSentencePiece`):
/// at most `maxPieceLength` characters; U+2581 only first (with `splitByWhitespace`) or anywhere
/// but last (without); one Unicode script per piece (Hiragana and Katakana count as Han,
/// combining marks take their base's script); with `splitDigits` a digit is a piece alone; with
/// `splitByNumber` off, digits join any script.
struct PieceValidity {
    /// Per character of the word arena: its class code (see `classify`).
    let classes: [UInt16]
    let maxPieceLength: Int
    let splitByWhitespace: Bool
    let splitDigits: Bool
    let splitByUnicodeScript: Bool

    private static let invalid: UInt16 = 0xFFFF
    private static let wordStart: UInt16 = 0xFFFE
    private static let digitFlag: UInt16 = 0x8000
    private static let inherited: UInt16 = 0x7FFF
    private static let anyScript: UInt16 = 0x7FFE
    private static let none = -1

    init(words: WordCounts, options: UnigramTrainerOptions) {
        maxPieceLength = options.maxPieceLength
        splitByWhitespace = options.splitByWhitespace
        splitDigits = options.splitDigits
        splitByUnicodeScript = options.splitByUnicodeScript
        var cache: [UInt32: UInt16] = [:]
        classes = words.scalars.map { scalar in
            if let known = cache[scalar] { return known }
            let code = Self.classify(scalar, splitByNumber: options.splitByNumber)
            cache[scalar] = code
            return code
        }
    }

    /// A character's class: invalid, word start, or its script (low 15 bits) with a digit flag.
    static func classify(_ scalar: UInt32, splitByNumber: Bool) -> UInt16 {
        // NUL, tab (sentencepiece's boundary), space, its unknown marker, surrogates, out of range.
        if scalar == 0 || scalar == 0x09 || scalar == 0x20 || scalar == 0x2585 || (0xD800...0xDFFF).contains(scalar)
            || scalar > 0x10FFFF {
            return invalid
        }
        if scalar == UnigramSentenceReader.wordStart { return wordStart }
        let isDigit = Unicode.Scalar(scalar)?.properties.generalCategory == .decimalNumber
        var script: UInt16
        switch dsp_script(scalar) {
        case 1: script = inherited  // USCRIPT_INHERITED
        case 20, 22: script = 17  // Hiragana, Katakana → Han
        case let code where code < 0: script = 0
        case let code: script = UInt16(min(code, 0x7000))
        }
        if scalar == 0x30FC { script = 17 }  // the Katakana long vowel mark, Common in Unicode
        if isDigit && !splitByNumber { script = anyScript }
        return isDigit ? script | digitFlag : script
    }

    /// Calls `body(length)` for every length at which the substring starting at arena offset
    /// `start` (and ending before `end`, the word's end) is a valid piece, shortest first.
    @inline(__always)
    func forEachValidLength(start: Int, end: Int, classes: UnsafeBufferPointer<UInt16>, _ body: (Int) -> Void) {
        var previousScript = Self.none
        let limit = min(end - start, maxPieceLength)
        var length = 0
        while length < limit {
            let code = classes[start + length]
            let position = length
            length += 1
            if code == Self.invalid { return }
            if code == Self.wordStart {
                if position > 0 {
                    // Inside a piece only without whitespace splitting, and never last.
                    if splitByWhitespace { return }
                    continue
                }
                body(length)
                continue
            }
            if code & Self.digitFlag != 0 && splitDigits {
                if position > 0 { return }
                body(length)
                return
            }
            var script = Int(code & ~Self.digitFlag)
            if script == Int(Self.inherited) { script = previousScript }
            if script == Int(Self.anyScript) { script = Self.none }
            if splitByUnicodeScript && script != Self.none && previousScript != Self.none && previousScript != script {
                return
            }
            previousScript = script
            body(length)
        }
    }
}
