/// Every valid piece candidate of the words, counted: how often each substring occurs (overlaps
/// included, weighted by word counts) and whether it is right-branching (followed by different
/// characters, or by a word end). Keys are spans of the word arena, never Strings; open
/// addressing with a hash tag in each slot.
///
/// sentencepiece finds the same substrings with a suffix array over the whole corpus (the
/// internal nodes of its suffix tree: repeated, right-branching substrings). Valid pieces never
/// cross a word start, so counting inside the distinct words gives the same occurrence counts
/// at a fraction of the cost. One difference: a substring seen only at word ends counts as
/// branching here, while the suffix array sees what the next word starts with.
struct SubstringCounts {
    /// Entry `i`: the span `offsets[i] ..< offsets[i] + lengths[i]` of the arena.
    private(set) var offsets: [Int32] = []
    private(set) var lengths: [UInt8] = []
    private(set) var frequencies: [Int64] = []
    /// The character that follows every occurrence so far, or `branching`.
    private(set) var followers: [UInt32] = []
    private var hashes: [UInt64] = []
    private var slots: [UInt64]

    static let branching: UInt32 = 0xFFFF_FFFF

    var count: Int { offsets.count }

    init(capacity: Int) {
        var size = 1024
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
    }

    /// Running hash of a span, one scalar at a time.
    @inline(__always)
    static func extend(_ hash: UInt64, _ scalar: UInt32) -> UInt64 { (hash ^ UInt64(scalar)) &* 0x0000_0100_0000_01b3 }
    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always)
    static func finish(_ hash: UInt64) -> UInt64 { hash ^ (hash >> 29) }

    /// Counts all valid substrings of every word.
    static func count(words: WordCounts, validity: PieceValidity) -> SubstringCounts {
        var table = SubstringCounts(capacity: words.scalars.count)
        words.scalars.withUnsafeBufferPointer { arena in
            validity.classes.withUnsafeBufferPointer { classes in
                for word in 0..<words.count {
                    let end = Int(words.starts[word + 1])
                    let times = words.counts[word]
                    for start in Int(words.starts[word])..<end {
                        var hash = emptyHash
                        var hashed = 0
                        validity.forEachValidLength(start: start, end: end, classes: classes) { length in
                            while hashed < length {
                                hash = extend(hash, arena[start + hashed])
                                hashed += 1
                            }
                            let follower = start + length < end ? arena[start + length] : branching
                            table.add(arena, start: start, length: length, hash: finish(hash), times: times, follower: follower)
                        }
                    }
                }
            }
        }
        return table
    }

    private mutating func add(_ arena: UnsafeBufferPointer<UInt32>, start: Int, length: Int, hash: UInt64,
                              times: Int64, follower: UInt32) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash >> 32
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if Self.equals(arena, Int(offsets[index]), Int(lengths[index]), start, length) {
                    frequencies[index] += times
                    if followers[index] != follower { followers[index] = Self.branching }
                    return
                }
            }
            slot = (slot + 1) & mask
        }
        offsets.append(Int32(start))
        lengths.append(UInt8(length))
        frequencies.append(times)
        // A second occurrence inside the same word count (times > 1) repeats the follower.
        followers.append(follower)
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(offsets.count)
        if offsets.count * 2 > slots.count { grow() }
    }

    /// The entry of the span, or nil.
    @inline(__always)
    func find(_ arena: UnsafeBufferPointer<UInt32>, start: Int, length: Int, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = hash >> 32
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if Self.equals(arena, Int(offsets[index]), Int(lengths[index]), start, length) { return index }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private static func equals(_ arena: UnsafeBufferPointer<UInt32>, _ a: Int, _ aLength: Int, _ b: Int, _ bLength: Int) -> Bool {
        guard aLength == bLength else { return false }
        for i in 0..<aLength where arena[a + i] != arena[b + i] { return false }
        return true
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for index in 0..<offsets.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hashes[index] >> 32) << 32 | UInt64(index + 1)
        }
    }
}
