/// Distinct words (Unicode scalar sequences) with how often each occurs, in first-seen order:
/// the input of the vocabulary trainers. Open addressing over one scalar arena, so counting a
/// word allocates nothing and words are never keyed by Swift `String`.
public struct WordCounts: Sendable {
    /// Word `i` is `scalars[starts[i] ..< starts[i + 1]]`.
    private(set) var scalars: [UInt32] = []
    private(set) var starts: [Int32] = [0]
    public private(set) var counts: [Int64] = []
    private var hashes: [UInt64] = []
    /// Slot → the word's hash (high 32 bits) and index + 1 (low 32 bits; 0 = empty): the hash
    /// in the slot rejects most mismatches without touching the word arrays.
    private var slots: [UInt64] = [UInt64](repeating: 0, count: 1024)

    public init() {}

    /// Distinct words.
    public var count: Int { counts.count }

    /// The scalars of word `index`.
    public func word(_ index: Int) -> ArraySlice<UInt32> { scalars[Int(starts[index])..<Int(starts[index + 1])] }

    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<UInt32>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for scalar in word { hash = (hash ^ UInt64(scalar)) &* 0x0000_0100_0000_01b3 }
        return hash ^ (hash >> 29)
    }

    /// Counts `word` `times` more times.
    public mutating func add(_ word: UnsafeBufferPointer<UInt32>, times: Int64 = 1) {
        add(word, hash: WordCounts.hash(word), times: times)
    }

    private mutating func add(_ word: UnsafeBufferPointer<UInt32>, hash: UInt64, times: Int64) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash >> 32
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if equals(index, word) {
                    counts[index] += times
                    return
                }
            }
            slot = (slot + 1) & mask
        }
        scalars.append(contentsOf: word)
        starts.append(Int32(scalars.count))
        counts.append(times)
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(counts.count)
        if counts.count * 2 > slots.count { grow() }
    }

    @inline(__always)
    private func equals(_ index: Int, _ word: UnsafeBufferPointer<UInt32>) -> Bool {
        let start = Int(starts[index]), end = Int(starts[index + 1])
        guard end - start == word.count else { return false }
        return scalars.withUnsafeBufferPointer { arena in
            for offset in 0..<word.count where arena[start + offset] != word[offset] { return false }
            return true
        }
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for index in 0..<counts.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hashes[index] >> 32) << 32 | UInt64(index + 1)
        }
    }

    /// Adds every word of `other` (after this one's own words, keeping first-seen order).
    public mutating func merge(_ other: WordCounts) {
        if count == 0 {
            self = other
            return
        }
        other.scalars.withUnsafeBufferPointer { arena in
            for index in 0..<other.count {
                let word = UnsafeBufferPointer(rebasing: arena[Int(other.starts[index])..<Int(other.starts[index + 1])])
                add(word, hash: other.hashes[index], times: other.counts[index])
            }
        }
    }
}
