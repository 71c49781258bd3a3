/// Where tokens go: ids with their [start, end) in original scalars, and for the rare token
/// whose text is not its vocabulary entry (HF's Unigram names an unknown token by the text it
/// covers) that text, in a side list the common path never touches.
///
/// Per-thread scratch reused from text to text, so like `WordBuffer` it owns raw buffers that
/// only grow: clearing is setting a count, appending is three stores (no uniqueness or capacity
/// checks of three arrays per token). Copies share the buffers; use one per thread.
/// Unchecked Sendable: per-thread scratch; it crosses threads only to be handed over, never to be shared.
public struct TokenSink: @unchecked Sendable {
    final class Storage {
        var count = 0, capacity = 0
        var ids = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        var starts = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        var ends = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        /// (token index, text) in increasing index order.
        var surfaces: [(index: Int, text: String)] = []

        init() { reserve(256) }

        deinit {
            ids.deallocate()
            starts.deallocate()
            ends.deallocate()
        }

        @inline(never)
        func reserve(_ needed: Int) {
            guard needed > capacity else { return }
            let newCapacity = max(needed, capacity * 2)
            ids = reallocate(ids, capacity: newCapacity)
            starts = reallocate(starts, capacity: newCapacity)
            ends = reallocate(ends, capacity: newCapacity)
            capacity = newCapacity
        }

        private func reallocate(_ pointer: UnsafeMutablePointer<Int32>, capacity: Int) -> UnsafeMutablePointer<Int32> {
            let fresh = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            fresh.moveInitialize(from: pointer, count: count)
            pointer.deallocate()
            return fresh
        }
    }

    let storage = Storage()

    public init() {}

    public var count: Int { storage.count }
    /// The tokens so far; valid until the sink changes.
    public var ids: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: storage.ids, count: storage.count) }
    public var starts: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: storage.starts, count: storage.count) }
    public var ends: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: storage.ends, count: storage.count) }

    @inline(__always)
    func append(_ id: Int32, start: Int32, end: Int32) {
        let storage = storage
        let index = storage.count
        if index == storage.capacity { storage.reserve(index + 1) }
        // Safety: index < capacity after the check.
        storage.ids[index] = id
        storage.starts[index] = start
        storage.ends[index] = end
        storage.count = index + 1
    }

    /// Appends a token whose text is `surface`, not its vocabulary entry.
    func append(_ id: Int32, start: Int32, end: Int32, surface: String) {
        storage.surfaces.append((storage.count, surface))
        append(id, start: start, end: end)
    }

    /// The text of token `index` when it is not its vocabulary entry.
    public func surface(at index: Int) -> String? {
        let surfaces = storage.surfaces
        guard !surfaces.isEmpty else { return nil }
        var low = 0, high = surfaces.count
        while low < high {
            let middle = (low + high) / 2
            if surfaces[middle].index < index { low = middle + 1 } else { high = middle }
        }
        return low < surfaces.count && surfaces[low].index == index ? surfaces[low].text : nil
    }

    /// Appends tokens `range` of `other` (another sink).
    func append(contentsOf other: TokenSink, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let storage = storage
        for surface in other.storage.surfaces where range.contains(surface.index) {
            storage.surfaces.append((storage.count + surface.index - range.lowerBound, surface.text))
        }
        storage.reserve(storage.count + range.count)
        (storage.ids + storage.count).update(from: other.storage.ids + range.lowerBound, count: range.count)
        (storage.starts + storage.count).update(from: other.storage.starts + range.lowerBound, count: range.count)
        (storage.ends + storage.count).update(from: other.storage.ends + range.lowerBound, count: range.count)
        storage.count += range.count
    }

    @inline(__always)
    func removeAll() {
        storage.count = 0
        if !storage.surfaces.isEmpty { storage.surfaces.removeAll(keepingCapacity: true) }
    }

    func removeLast(_ k: Int) {
        storage.count -= min(k, storage.count)
        while let last = storage.surfaces.last, last.index >= storage.count { storage.surfaces.removeLast() }
    }
}
