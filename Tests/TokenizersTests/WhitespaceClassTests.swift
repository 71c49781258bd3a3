@testable import Tokenizers
import XCTest

/// Which characters are whitespace: Rust's `char::is_whitespace` (Unicode White_Space), which HF's
/// whitespace pre-tokenizers split on. U+000B, U+000C and U+0085 are White_Space and also Cc
/// controls, so BertNormalizer's clean_text removes them before any pre-tokenizer sees them;
/// without it they split words. Expected values worked out by hand from those two rules.
final class WhitespaceClassTests: XCTestCase {
    private func pieces(_ text: String, _ preTokenizer: PreTokenizer) throws -> [String] {
        var pieces = [NormalizedString(text)]
        try preTokenizer.preTokenize(&pieces)
        return pieces.map(\.text)
    }

    func testControlWhitespaceSplitsWithoutCleanText() throws {
        let text = "a\u{0B}b\u{0C}c\u{85}d\u{3000}e"
        XCTAssertEqual(try pieces(text, WhitespaceSplit()), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(try pieces(text, BertPreTokenizer()), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(try pieces(text, WhitespacePreTokenizer()), ["a", "b", "c", "d", "e"])
    }

    func testCleanTextRemovesThemFirst() throws {
        var string = NormalizedString("a\u{0B}b\u{85}c d")
        try BertNormalizer(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false).normalize(&string)
        XCTAssertEqual(string.text, "abc d")
    }
}
