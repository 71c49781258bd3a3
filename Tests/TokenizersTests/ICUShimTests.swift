import CICU
import XCTest

final class ICUShimTests: XCTestCase {
    private func normalize(_ text: String, _ form: Int32) -> String {
        let source = Array(text.utf16)
        var output = [UInt16](repeating: 0, count: source.count * 4 + 8)
        var error: Int32 = 0
        let length = dsp_normalize(form, source, Int32(source.count), &output, Int32(output.count), &error)
        XCTAssertEqual(error, 0)
        return String(decoding: output[0..<Int(length)], as: UTF16.self)
    }

    func testNFKCMapsCompatibilityJamoToConjoiningJamo() {
        // Unicode: U+314B HANGUL LETTER KHIEUKH has compatibility decomposition U+110F.
        XCTAssertEqual(normalize("\u{314B}", Int32(DSP_NFKC)).unicodeScalars.map(\.value), [0x110F])
    }

    func testNFDDecomposesHangulSyllable() {
        // U+D55C 한 = L U+1112, V U+1161, T U+11AB (Unicode Hangul syllable decomposition).
        XCTAssertEqual(normalize("\u{D55C}", Int32(DSP_NFD)).unicodeScalars.map(\.value), [0x1112, 0x1161, 0x11AB])
        XCTAssertEqual(normalize("\u{1112}\u{1161}\u{11AB}", Int32(DSP_NFC)), "\u{D55C}")
    }
}
