import DSPrepSupport
import XCTest

/// `UTF8Validation` against the standard library's decoder (`String(validating:)`) as reference.
final class UTF8ValidationTests: XCTestCase {
    private func offset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
    }

    private func isValid(_ bytes: ArraySlice<UInt8>) -> Bool { String(validating: Array(bytes), as: UTF8.self) != nil }

    func testHandPickedForms() {
        XCTAssertNil(offset([]))
        XCTAssertNil(offset(Array("plain ascii text, longer than eight bytes".utf8)))
        XCTAssertNil(offset(Array("한국어 ｶﾀｶﾅ é 👩‍👩‍👧 \u{10FFFF}".utf8)))
        XCTAssertEqual(offset([0x61, 0xC0, 0x80]), 1)              // overlong NUL
        XCTAssertEqual(offset([0xE0, 0x80, 0x80]), 0)              // overlong three-byte form
        XCTAssertEqual(offset(Array("abcdefgh".utf8) + [0xED, 0xA0, 0x80]), 8)  // a surrogate, after an 8-byte ASCII block
        XCTAssertEqual(offset([0xF4, 0x90, 0x80, 0x80]), 0)        // above U+10FFFF
        XCTAssertEqual(offset([0x41, 0xEA, 0xB0]), 1)              // truncated at the end
        XCTAssertEqual(offset([0x80]), 0)                          // a lone continuation byte
        XCTAssertEqual(offset([0xEA, 0xB0, 0x41]), 0)              // a continuation replaced by ASCII
        XCTAssertNil(offset([0x61, 0x00, 0x62]))                   // NUL is well-formed UTF-8 ...
        let withNUL: [UInt8] = Array("abcdefghij".utf8) + [0x00]
        XCTAssertEqual(withNUL.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0, rejectingNUL: true) }, 10)  // ... unless rejected
    }

    /// Random byte strings biased towards UTF-8 lead and continuation bytes: the result is nil
    /// exactly when the standard library accepts the bytes; otherwise the bytes before the offset
    /// are valid and no well-formed scalar starts at it.
    func testAgreesWithTheStandardLibrary() {
        var generator = SeededGenerator(seed: 7)
        let alphabet: [UInt8] = [0x41, 0x20, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xEA, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var invalid = 0
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                bytes.append(Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)!
                                                            : UInt8.random(in: 0...255, using: &generator))
            }
            guard let found = offset(bytes) else {
                XCTAssertTrue(isValid(bytes[...]), "\(bytes)")
                continue
            }
            invalid += 1
            XCTAssertFalse(isValid(bytes[...]), "\(bytes)")
            XCTAssertTrue(isValid(bytes[..<found]), "\(bytes) at \(found)")
            for length in 1...4 where found + length <= bytes.count {
                XCTAssertFalse(isValid(bytes[found..<(found + length)]), "\(bytes) at \(found)")
            }
        }
        XCTAssertGreaterThan(invalid, 1000)
    }
}
