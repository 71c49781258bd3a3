/// A max-heap of (priority, item) that pushes and pops exactly as libstdc++'s
/// `std::priority_queue` (`std::push_heap` / `std::pop_heap`, bits/stl_heap.h) does, so that
/// items of equal priority leave in the same order as in sentencepiece's n-best search (its
/// wheels are built with GCC). Any other heap would give a different n-best on ties.
struct AgendaHeap {
    struct Entry {
        var priority: Float
        var item: Int32
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var top: Entry? { entries.first }

    /// `std::push_heap`: the new entry moves up while its parent is strictly smaller.
    mutating func push(_ priority: Float, _ item: Int32) {
        entries.append(Entry(priority: priority, item: item))
        siftUp(entries[entries.count - 1], from: entries.count - 1)
    }

    /// `std::pop_heap` + `pop_back`: the root's hole moves down along the larger child (the
    /// right one unless it is smaller than the left), then the last entry fills it.
    mutating func pop() {
        guard entries.count > 1 else { entries.removeAll(keepingCapacity: true); return }
        let value = entries.removeLast()
        let length = entries.count
        var hole = 0
        var child = 0
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if entries[child].priority < entries[child - 1].priority { child -= 1 }
            entries[hole] = entries[child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            entries[hole] = entries[child - 1]
            hole = child - 1
        }
        siftUp(value, from: hole)
    }

    private mutating func siftUp(_ value: Entry, from start: Int) {
        var hole = start
        var parent = (hole - 1) / 2
        while hole > 0 && entries[parent].priority < value.priority {
            entries[hole] = entries[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        entries[hole] = value
    }
}
