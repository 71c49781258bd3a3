import DSPrepSupport
import XCTest

final class ContentHashTests: XCTestCase {
    /// Expected values printed by the Python `xxhash` package (xxhash.xxh64(data).hexdigest()).
    func testMatchesReferenceXXH64() {
        let cases: [([UInt8], UInt64)] = [
            ([], 0xef46_db37_51d8_e999),
            (Array("a".utf8), 0xd24e_c4f1_a98c_6e5b),
            (Array("abc".utf8), 0x44bc_2cf5_ad77_0999),
            (Array(0..<100), 0x6ac1_e580_3216_6597),
            (Array(repeating: UInt8(ascii: "x"), count: 1000) + Array("yz".utf8), 0xbdf6_2dd8_22da_1cb1),
        ]
        for (bytes, expected) in cases {
            var hasher = ContentHasher()
            bytes.withUnsafeBytes { hasher.update($0) }
            XCTAssertEqual(hasher.xxh64, expected, "input of \(bytes.count) bytes")
        }
    }

    func testChunkedUpdatesEqualOneUpdate() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = ContentHasher()
        bytes.withUnsafeBytes { whole.update($0) }
        for chunk in [1, 7, 31, 32, 33, 500] {
            var pieces = ContentHasher()
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                bytes[start..<min(start + chunk, bytes.count)].withUnsafeBytes { pieces.update($0) }
            }
            XCTAssertEqual(pieces.hexDigest, whole.hexDigest, "chunk size \(chunk)")
        }
    }

    func testSeededGeneratorIsReproducibleAndUnbiasedInRange() {
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42)
        var a = Array(0..<100), b = Array(0..<100)
        first.shuffle(&a)
        second.shuffle(&b)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, Array(0..<100))
        XCTAssertEqual(Set(a), Set(0..<100))
        var generator = SeededGenerator(seed: 1)
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<7).contains(generator.below(7)) })
    }
}
