import DSPrepSupport
import Tokenizers
import XCTest

/// A regex from a tokenizer.json that backtracks catastrophically fails with an error naming the
/// file and the pattern, after a bounded amount of work (ICU's step limit counts engine steps,
/// not time, so the outcome is the same on every machine).
final class RegexStepLimitTests: XCTestCase {
    func testNestedRepetitionFailsNamingFileAndPattern() throws {
        let regex = try RegularExpression("(a+)+b", source: SourceLocation(path: "evil/tokenizer.json"))
        // Without a limit this search takes 2^40 steps.
        let text = Array(String(repeating: "a", count: 40).unicodeScalars.map(\.value)) + [0x63]
        XCTAssertThrowsError(try regex.matches(in: text)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("evil/tokenizer.json"), message)
            XCTAssertTrue(message.contains("(a+)+b"), message)
            XCTAssertTrue(message.contains("step limit"), message)
        }
    }

    func testOrdinaryPatternsOnLongTextsStayWithinTheLimit() throws {
        // The GPT-2 split pattern over a 200,000-character piece: far more text than any piece,
        // and linear work, so the limit must not trip.
        let regex = try RegularExpression(#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#)
        let text = Array(String(repeating: "한국어 문장 1234 ... ", count: 12_500).unicodeScalars.map(\.value))
        // Per repetition "한국어", " 문장", " 1234", " ..." (the space after "..." starts the next
        // " 한국어"), then the final space alone.
        XCTAssertEqual(try regex.matches(in: text).count, 12_500 * 4 + 1)
    }
}
