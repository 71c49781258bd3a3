import DSPrepSupport

/// Every valid piece candidate of the words, counted: how often each substring occurs (overlaps
/// included, weighted by word counts) and whether it is right-branching (followed by different
/// characters, or by a word end). Keys are spans of the word arena, never Strings.
///
/// sentencepiece finds the same substrings with a suffix array over the whole corpus (the
/// internal nodes of its suffix tree: repeated, right-branching substrings). Valid pieces never
/// cross a word start, so counting inside the distinct words gives the same occurrence counts
/// at a fraction of the cost. One difference: a substring seen only at word ends counts as
/// branching here, while the suffix array sees what the next word starts with.
///
/// The substrings are split by hash into `partitions` tables, one per thread: each thread walks
/// all words but only counts its own substrings, so no table is shared. Each occurrence (in walk
/// order: word, start, length) records its entry, so the lattices are built without hashing again.
struct SubstringCounts {
    struct Entry {
        /// The first occurrence: arena span `offset ..< offset + length`.
        var offset: Int32
        /// The character that follows every occurrence so far, or `branching`.
        var follower: UInt32
        var frequency: Int64
        var length: UInt8
    }

    /// Open addressing over one partition's entries; each slot holds a hash tag and index + 1.
    struct Table {
        var entries: [Entry] = []
        private var hashes: [UInt64] = []
        private var slots: [UInt64]

        init(capacity: Int) {
            var size = 1024
            while size < capacity * 2 { size <<= 1 }
            slots = [UInt64](repeating: 0, count: size)
        }

        /// Counts one occurrence and returns its entry's index.
        @inline(__always)
        mutating func add(_ arena: UnsafeBufferPointer<UInt32>, start: Int, length: Int, hash: UInt64,
                          times: Int64, follower: UInt32) -> Int {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            let tag = hash >> 32
            while true {
                let packed = slots[slot]
                if packed == 0 { break }
                if packed >> 32 == tag {
                    let index = Int(packed & 0xFFFF_FFFF) - 1
                    let entry = entries[index]
                    if Int(entry.length) == length && SubstringCounts.equals(arena, Int(entry.offset), start, length) {
                        entries[index].frequency += times
                        if entry.follower != follower { entries[index].follower = SubstringCounts.branching }
                        return index
                    }
                }
                slot = (slot + 1) & mask
            }
            entries.append(Entry(offset: Int32(start), follower: follower, frequency: times, length: UInt8(length)))
            hashes.append(hash)
            slots[slot] = tag << 32 | UInt64(entries.count)
            if entries.count * 2 > slots.count { grow() }
            return entries.count - 1
        }

        private mutating func grow() {
            slots = [UInt64](repeating: 0, count: slots.count * 2)
            let mask = slots.count - 1
            for index in 0..<entries.count {
                var slot = Int(truncatingIfNeeded: hashes[index]) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = (hashes[index] >> 32) << 32 | UInt64(index + 1)
            }
        }
    }

    /// A fixed count, so the tables (and the seeds' order) do not depend on the thread count.
    static let partitions = 2
    static let partitionShift = 30
    static let branching: UInt32 = 0xFFFF_FFFF

    private(set) var tables: [Table]
    /// Per occurrence in walk order: `partition << partitionShift | entry index`.
    private(set) var occurrences: [UInt32]
    /// Word `w`'s occurrences start at `occurrenceStarts[w]`.
    private(set) var occurrenceStarts: [Int]

    /// Running hash of a span, one scalar at a time.
    @inline(__always)
    static func extend(_ hash: UInt64, _ scalar: UInt32) -> UInt64 { (hash ^ UInt64(scalar)) &* 0x0000_0100_0000_01b3 }
    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always)
    static func finish(_ hash: UInt64) -> UInt64 { hash ^ (hash >> 29) }

    @inline(__always)
    static func equals(_ arena: UnsafeBufferPointer<UInt32>, _ a: Int, _ b: Int, _ length: Int) -> Bool {
        for i in 0..<length where arena[a + i] != arena[b + i] { return false }
        return true
    }

    /// Counts all valid substrings of every word.
    init(words: WordCounts, validity: PieceValidity, threads: Int) throws {
        // Occurrences per word first (no hashing), so each partition writes its own slots of
        // one shared array.
        var starts = [Int](repeating: 0, count: words.count + 1)
        validity.classes.withUnsafeBufferPointer { classes in
            for word in 0..<words.count {
                let end = Int(words.starts[word + 1])
                var count = 0
                for start in Int(words.starts[word])..<end {
                    validity.forEachValidLength(start: start, end: end, classes: classes) { _ in count += 1 }
                }
                starts[word + 1] = starts[word] + count
            }
        }
        occurrenceStarts = starts
        var occurrences = [UInt32](repeating: 0, count: starts[words.count])
        let capacity = words.scalars.count / Self.partitions
        tables = try occurrences.withUnsafeMutableBufferPointer { occurrences in
            try words.scalars.withUnsafeBufferPointer { arena in
                try validity.classes.withUnsafeBufferPointer { classes in
                    try Parallel.map(Self.partitions, threads: threads) { partition -> Table in
                        var table = Table(capacity: capacity)
                        var next = 0
                        for word in 0..<words.count {
                            let end = Int(words.starts[word + 1])
                            let times = words.counts[word]
                            for start in Int(words.starts[word])..<end {
                                var hash = Self.emptyHash
                                var hashed = 0
                                validity.forEachValidLength(start: start, end: end, classes: classes) { length in
                                    while hashed < length {
                                        hash = Self.extend(hash, arena[start + hashed])
                                        hashed += 1
                                    }
                                    let finished = Self.finish(hash)
                                    if Int(finished >> 60) % Self.partitions == partition {
                                        let follower = start + length < end ? arena[start + length] : Self.branching
                                        let index = table.add(arena, start: start, length: length, hash: finished,
                                                              times: times, follower: follower)
                                        occurrences[next] = UInt32(partition << Self.partitionShift | index)
                                    }
                                    next += 1
                                }
                            }
                        }
                        return table
                    }
                }
            }
        }
        self.occurrences = occurrences
    }

    @inline(__always)
    func entry(_ occurrence: UInt32) -> Entry {
        tables[Int(occurrence >> UInt32(Self.partitionShift))].entries[Int(occurrence & (1 << UInt32(Self.partitionShift) - 1))]
    }
}
