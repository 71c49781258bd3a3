/// A symbol pair (left id in the high 32 bits): comparing keys compares (left, right).
typealias PairKey = UInt64

@inline(__always)
func pairKey(_ left: Int32, _ right: Int32) -> PairKey { PairKey(UInt32(bitPattern: left)) << 32 | PairKey(UInt32(bitPattern: right)) }

/// Max-heap of merge candidates: the highest count first, ties to the smallest pair (HF's BPE
/// trainer orders its `Merge`s the same way). Entries may be stale; the trainer re-checks the
/// count when it pops one (lazy deletion).
struct PairQueue {
    struct Entry {
        var count: Int64
        var key: PairKey

        @inline(__always)
        func outranks(_ other: Entry) -> Bool { count != other.count ? count > other.count : key < other.key }
    }

    private var heap: [Entry] = []

    init(_ entries: [Entry]) {
        heap = entries
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    var isEmpty: Bool { heap.isEmpty }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].outranks(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        siftDown(0)
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = heap.count
        while true {
            var best = parent
            let left = 2 * parent + 1, right = left + 1
            if left < count && heap[left].outranks(heap[best]) { best = left }
            if right < count && heap[right].outranks(heap[best]) { best = right }
            if best == parent { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}

/// Pair key → dense pair index, open addressing (Swift's `Dictionary` hashes with SipHash,
/// which is most of the cost of the merge loop).
struct PairIndex {
    private var keys: [PairKey]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0
    private static let empty = PairKey.max

    init(capacity: Int) {
        var size = 1024
        while size < capacity * 2 { size <<= 1 }
        keys = [PairKey](repeating: PairIndex.empty, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Fibonacci hashing: the top bits of the product depend on every bit of the key (the low
    /// bits would ignore most of the left symbol and cluster).
    @inline(__always)
    private static func slot(_ key: PairKey, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - mask.nonzeroBitCount))
    }

    func find(_ key: PairKey) -> Int32? {
        var slot = PairIndex.slot(key, mask)
        while true {
            let stored = keys[slot]
            if stored == key { return values[slot] }
            if stored == PairIndex.empty { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `key`, giving it `next` when it is new (then `inserted` is true).
    @inline(__always)
    mutating func findOrInsert(_ key: PairKey, next: Int32) -> (index: Int32, inserted: Bool) {
        var slot = PairIndex.slot(key, mask)
        while true {
            let stored = keys[slot]
            if stored == key { return (values[slot], false) }
            if stored == PairIndex.empty { break }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = next
        count += 1
        if count * 2 > keys.count { grow() }
        return (next, true)
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [PairKey](repeating: PairIndex.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (slot, key) in oldKeys.enumerated() where key != PairIndex.empty {
            var target = PairIndex.slot(key, mask)
            while keys[target] != PairIndex.empty { target = (target + 1) & mask }
            keys[target] = key
            values[target] = oldValues[slot]
        }
    }
}
