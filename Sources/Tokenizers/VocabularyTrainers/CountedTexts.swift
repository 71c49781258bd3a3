import DSPrepSupport
import Foundation

/// What a vocabulary trainer learns from: the words of the texts it read, as the trained
/// tokenizer will split them, counted in first-seen order, and how many texts were kept. Counts
/// of consecutive parts of a corpus, appended in order, are the counts of the whole (first-seen
/// order included), so parts can be counted apart, on other machines, and trained on together
/// (`dsprep vocab count` and `dsprep vocab merge`) with the vocabulary of one run.
public struct CountedTexts {
    public var words: WordCounts
    public var texts: Int

    public init(words: WordCounts = WordCounts(), texts: Int = 0) {
        self.words = words
        self.texts = texts
    }

    /// Adds the counts of the part of the corpus that follows.
    public mutating func append(_ next: CountedTexts) {
        words.merge(next.words)
        texts += next.texts
    }

    // MARK: - Bytes

    /// Little-endian: texts, words, scalars (Int64 each), each word's end in the scalars (Int32),
    /// the scalars (UInt32), the counts (Int64).
    public func encoded() -> Data {
        var data = Data()
        data.reserveCapacity(24 + 4 * words.scalars.count + 12 * words.count)
        func append<T: FixedWidthInteger>(_ values: [T]) {
            values.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
        }
        append([Int64(texts), Int64(words.count), Int64(words.scalars.count)])
        append(Array(words.starts.dropFirst()))
        append(words.scalars)
        append(words.counts)
        return data
    }

    /// Reads what `encoded()` wrote from `bytes[offset...]` and moves `offset` past it; nil when
    /// the bytes are not such counts (cut off, or inconsistent).
    public static func decode(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) -> CountedTexts? {
        var position = offset
        func read<T: FixedWidthInteger>(_: T.Type, count: Int) -> [T]? {
            let size = MemoryLayout<T>.size
            guard count >= 0, count <= (bytes.count - position) / size else { return nil }
            defer { position += count * size }
            return (0..<count).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: position + $0 * size, as: T.self)) }
        }
        guard let header = read(Int64.self, count: 3), header[0] >= 0,
              let ends = read(Int32.self, count: Int(header[1])), let scalars = read(UInt32.self, count: Int(header[2])),
              let counts = read(Int64.self, count: Int(header[1])) else { return nil }
        var words = WordCounts()
        var start = 0
        for (end, times) in zip(ends, counts) {
            guard Int(end) >= start, Int(end) <= scalars.count, times > 0 else { return nil }
            scalars[start..<Int(end)].withUnsafeBufferPointer { words.add($0, times: times) }
            start = Int(end)
        }
        guard start == scalars.count, words.count == counts.count else { return nil }
        offset = position
        return CountedTexts(words: words, texts: Int(header[0]))
    }
}
