/// A double-array trie over bytes mapping keys (piece UTF-8 bytes) to values (piece ids).
/// State 0 is the root; the child of state `s` on byte `b` sits at `base(s) + b` and is valid
/// when that unit is occupied and labelled `b`. Every state gets its own base, so the label
/// alone identifies the parent. An 8-byte unit per state keeps the array small enough to stay
/// in cache: walking a key costs one load per byte, and all pieces that start at a text
/// position are found in one walk.
struct DoubleArrayTrie: Sendable {
    struct Unit: Sendable {
        /// `base << 9 | occupied << 8 | label`.
        var link: UInt32 = 0
        /// The key's value if a key ends at this state, else -1.
        var value: Int32 = -1

        var base: Int { Int(link >> 9) }
    }

    /// The state reached from `state` on `byte`, or nil.
    @inline(__always)
    static func child(_ units: UnsafeBufferPointer<Unit>, of state: Int, on byte: UInt8) -> Int? {
        let next = units[state].base &+ Int(byte)
        guard next < units.count, units[next].link & 0x1FF == 0x100 | UInt32(byte) else { return nil }
        return next
    }

    private(set) var units: [Unit]

    /// Keys must be distinct and non-empty; values must be >= 0.
    init(keys: [(bytes: [UInt8], value: Int32)]) {
        let sorted = keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var slots = FreeSlots()
        var units = [Unit](repeating: Unit(), count: slots.count)
        slots.take(0)
        units[0].link = 0x100

        // Breadth-first: each entry is a state and the sorted keys below it sharing `depth` bytes.
        var queue: [(state: Int, lower: Int, upper: Int, depth: Int)] = [(0, 0, sorted.count, 0)]
        var head = 0
        var labels: [UInt8] = []
        var ranges: [(lower: Int, upper: Int)] = []
        while head < queue.count {
            let (state, lower, upper, depth) = queue[head]
            head += 1
            labels.removeAll(keepingCapacity: true)
            ranges.removeAll(keepingCapacity: true)
            var k = lower
            while k < upper {
                let key = sorted[k].bytes
                if key.count == depth {
                    units[state].value = sorted[k].value
                    k += 1
                    continue
                }
                let label = key[depth]
                var end = k + 1
                while end < upper, sorted[end].bytes[depth] == label { end += 1 }
                labels.append(label)
                ranges.append((k, end))
                k = end
            }
            guard !labels.isEmpty else { continue }
            let base = slots.findBase(for: labels)
            if slots.count > units.count {
                units.append(contentsOf: repeatElement(Unit(), count: slots.count - units.count))
            }
            units[state].link |= UInt32(base) << 9
            for (label, range) in zip(labels, ranges) {
                let child = base + Int(label)
                slots.take(child)
                units[child].link = 0x100 | UInt32(label)
                queue.append((child, range.lower, range.upper, depth + 1))
            }
        }
        self.units = Array(units[..<max(slots.highestUsed + 1, 1)])
    }

    /// The free positions of the array under construction, as a doubly linked list, so the
    /// search for a base skips the (mostly full) positions already taken.
    private struct FreeSlots {
        private var next: [Int] = []
        private var previous: [Int] = []
        private var isFree: [Bool] = []
        /// Bases already given to a state (each state needs its own, see `Unit`).
        private var isBaseTaken: [Bool] = []
        /// Linked-list head; `count` means "no free slot below the end".
        private var head = 0
        private(set) var highestUsed = 0
        var count: Int { isFree.count }

        init() { grow(to: 1024) }

        private mutating func grow(to newCount: Int) {
            let oldCount = isFree.count
            guard newCount > oldCount else { return }
            // Append oldCount..<newCount as free, linked in order, after the current tail.
            let tail = oldCount == 0 ? -1 : lastFree(before: oldCount)
            isFree.append(contentsOf: repeatElement(true, count: newCount - oldCount))
            isBaseTaken.append(contentsOf: repeatElement(false, count: newCount - oldCount))
            next.append(contentsOf: (oldCount + 1)...newCount)
            previous.append(contentsOf: (oldCount - 1)..<(newCount - 1))
            previous[oldCount] = tail
            // The old tail pointed at the old end marker (`oldCount`), which is now the first
            // new slot; an empty list's head was that marker too.
            if tail >= 0 { next[tail] = oldCount } else { head = oldCount }
        }

        private func lastFree(before end: Int) -> Int {
            var position = end - 1
            while position >= 0, !isFree[position] { position -= 1 }
            return position
        }

        mutating func take(_ position: Int) {
            if position >= count { grow(to: max(count * 2, position + 257)) }
            guard isFree[position] else { return }
            isFree[position] = false
            let before = previous[position]
            let after = next[position]
            if before >= 0 { next[before] = after } else { head = after }
            if after < count { previous[after] = before }
            highestUsed = max(highestUsed, position)
        }

        /// The lowest unused base (>= 1) for which every `base + label` is free; marks it used.
        mutating func findBase(for labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            var position = head
            while true {
                if position >= count { grow(to: count * 2) }
                let base = position - first
                if base >= 1 {
                    let highest = base + Int(labels[labels.count - 1])
                    if highest >= count { grow(to: max(count * 2, highest + 257)) }
                    if !isBaseTaken[base] && labels.allSatisfy({ isFree[base + Int($0)] }) {
                        isBaseTaken[base] = true
                        return base
                    }
                }
                position = next[position]
            }
        }
    }

    /// The value stored for exactly `key`, or nil.
    func value(of key: some Sequence<UInt8>) -> Int32? {
        units.withUnsafeBufferPointer { units in
            var state = 0
            for byte in key {
                guard let next = Self.child(units, of: state, on: byte) else { return nil }
                state = next
            }
            let value = units[state].value
            return value >= 0 ? value : nil
        }
    }

    /// Length of the longest key that is a prefix of `input`, or 0.
    func longestPrefix(_ input: UnsafePointer<UInt8>, count: Int) -> Int {
        units.withUnsafeBufferPointer { units in
            var state = 0
            var longest = 0
            var i = 0
            while i < count {
                guard let next = Self.child(units, of: state, on: input[i]) else { break }
                state = next
                i += 1
                if units[state].value >= 0 { longest = i }
            }
            return longest
        }
    }
}
