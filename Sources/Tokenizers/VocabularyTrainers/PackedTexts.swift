/// Strings laid end to end in one UTF-8 buffer, for the trainers' byte-level `add(count, utf8:)`
/// when a caller holds Swift strings rather than column bytes.
enum PackedTexts {
    static func withUTF8<R>(_ texts: [String], _ body: (Int, (Int) -> UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(texts.count)
        for text in texts {
            bytes.append(contentsOf: text.utf8)
            ends.append(bytes.count)
        }
        return try bytes.withUnsafeBytes { all in
            try body(texts.count) { UnsafeRawBufferPointer(rebasing: all[($0 == 0 ? 0 : ends[$0 - 1])..<ends[$0]]) }
        }
    }
}
