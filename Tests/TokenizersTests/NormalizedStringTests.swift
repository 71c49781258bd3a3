@testable import Tokenizers
import XCTest

/// Alignment rules of HF's `NormalizedString::transform_range`, checked on hand-made cases.
final class NormalizedStringTests: XCTestCase {
    private func alignments(_ string: NormalizedString) -> [[Int32]] {
        (0..<string.count).map { [string.starts[$0], string.ends[$0]] }
    }

    func testFilterKeepsSurvivorsAlignments() {
        var string = NormalizedString("a\u{200B}b")
        string.filter { $0 != 0x200B }
        XCTAssertEqual(string.text, "ab")
        XCTAssertEqual(alignments(string), [[0, 1], [2, 3]])
    }

    func testInsertedScalarsTakeThePreviousAlignment() {
        // BertNormalizer's Chinese handling: " 漢 " all map back to the ideograph.
        var string = NormalizedString("a漢")
        string.transform([.init(0x61, 0), .init(0x20, 0), .init(0x6F22, 1), .init(0x20, 1)])
        XCTAssertEqual(string.text, "a 漢 ")
        XCTAssertEqual(alignments(string), [[0, 1], [1, 2], [1, 2], [1, 2]])
    }

    func testInsertionAtTheStartAlignsToNothing() {
        var string = NormalizedString("b")
        string.transform([.init(0x61, 1), .init(0x62, 0)])
        XCTAssertEqual(alignments(string), [[0, 0], [0, 1]])
    }

    func testNFDExpansionSharesTheSyllableAlignment() {
        var string = NormalizedString("x한")
        string.normalize(.nfd)
        XCTAssertEqual(string.scalars, [0x78, 0x1112, 0x1161, 0x11AB])
        XCTAssertEqual(alignments(string), [[0, 1], [1, 2], [1, 2], [1, 2]])
    }

    func testNFCCompositionTakesTheFirstScalarsAlignment() {
        // "e" + U+0301 composes into "é"; the composite keeps the alignment of "e" (change 0 + 0 - 1
        // = -1: it replaces "e" and absorbs the accent).
        var string = NormalizedString("e\u{301}x")
        string.normalize(.nfc)
        XCTAssertEqual(string.scalars, [0xE9, 0x78])
        XCTAssertEqual(alignments(string), [[0, 1], [2, 3]])
    }

    func testLowercaseExpansion() {
        // U+0130 İ lowercases to "i" + U+0307 (Unicode SpecialCasing); both map to İ.
        var string = NormalizedString("İa")
        string.lowercase()
        XCTAssertEqual(string.scalars, [0x69, 0x307, 0x61])
        XCTAssertEqual(alignments(string), [[0, 1], [0, 1], [1, 2]])
    }

    func testReplaceAlignsToTheLastMatchedScalar() {
        var string = NormalizedString("a b")
        string.replace([0x20], with: [0x2581])
        XCTAssertEqual(string.text, "a▁b")
        XCTAssertEqual(alignments(string), [[0, 1], [1, 2], [2, 3]])
    }

    func testSplitBehaviors() {
        func texts(_ behavior: SplitBehavior) -> [String] {
            var string = PreTokenizedString(NormalizedString("a,,b"))
            string.split(behavior: behavior) { $0 == 0x2C }
            return string.words.map(\.text)
        }
        XCTAssertEqual(texts(.removed), ["a", "b"])
        XCTAssertEqual(texts(.isolated), ["a", ",", ",", "b"])
        XCTAssertEqual(texts(.contiguous), ["a", ",,", "b"])
        XCTAssertEqual(texts(.mergedWithPrevious), ["a,", ",", "b"])
        XCTAssertEqual(texts(.mergedWithNext), ["a", ",", ",b"])
    }
}
