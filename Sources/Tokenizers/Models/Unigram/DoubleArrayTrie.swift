/// A double-array trie over bytes mapping keys (piece UTF-8 bytes) to values (piece ids).
/// State 0 is the root; the child of state `s` on byte `b` is `t = base[s] + b`, valid when
/// `check[t] == s`. One 12-byte unit per state, so walking a key costs one load per byte and
/// common prefixes of a text are found in a single pass.
struct DoubleArrayTrie: Sendable {
    struct Unit: Sendable {
        var base: Int32 = 0
        /// The parent state; -1 for a free slot (and the root).
        var check: Int32 = -1
        /// The key's value if a key ends at this state, else -1.
        var value: Int32 = -1
    }

    private(set) var units: [Unit]

    /// Keys must be distinct and non-empty; values must be >= 0.
    init(keys: [(bytes: [UInt8], value: Int32)]) {
        let sorted = keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var units = [Unit](repeating: Unit(), count: 1024)
        var used = [Bool](repeating: false, count: units.count)
        used[0] = true
        var firstFree = 1

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
            guard let firstLabel = labels.first else { continue }

            // Lowest base whose child slots are all free.
            var base = max(1, firstFree - Int(firstLabel))
            search: while true {
                let highest = base + Int(labels[labels.count - 1])
                if highest >= units.count {
                    let newCount = max(units.count * 2, highest + 257)
                    units.append(contentsOf: repeatElement(Unit(), count: newCount - units.count))
                    used.append(contentsOf: repeatElement(false, count: newCount - used.count))
                }
                for label in labels where used[base + Int(label)] {
                    base += 1
                    continue search
                }
                break
            }
            units[state].base = Int32(base)
            for (label, range) in zip(labels, ranges) {
                let child = base + Int(label)
                used[child] = true
                units[child].check = Int32(state)
                queue.append((child, range.lower, range.upper, depth + 1))
            }
            while firstFree < used.count, used[firstFree] { firstFree += 1 }
        }
        // Trailing free slots are never reached by a valid transition but keep `base + 255`
        // in range for the hot loop's single bounds check.
        self.units = units
    }

    /// The value stored for exactly `key`, or nil.
    func value(of key: some Sequence<UInt8>) -> Int32? {
        var state = 0
        for byte in key {
            let next = Int(units[state].base) + Int(byte)
            guard next < units.count, units[next].check == Int32(state) else { return nil }
            state = next
        }
        let value = units[state].value
        return value >= 0 ? value : nil
    }

    /// Length of the longest key that is a prefix of `input`, or 0.
    func longestPrefix(_ input: UnsafePointer<UInt8>, count: Int) -> Int {
        units.withUnsafeBufferPointer { units in
            var state = 0
            var longest = 0
            var i = 0
            while i < count {
                let next = Int(units[state].base) + Int(input[i])
                guard next < units.count, units[next].check == Int32(state) else { break }
                state = next
                i += 1
                if units[state].value >= 0 { longest = i }
            }
            return longest
        }
    }
}
