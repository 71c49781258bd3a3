import DSPrepSupport

/// One pre-tokenized word, ready for a model: its UTF-8 bytes, the byte offset of each scalar
/// (plus the end), and for each scalar its [start, end) in original scalars.
///
/// It is per-thread scratch reused from word to word, so it owns raw buffers that only grow:
/// clearing is setting two counts, and appending is a store (no uniqueness or capacity checks
/// of four arrays per scalar). Copies share the buffers; use one per thread.
public struct WordBuffer: @unchecked Sendable {
    final class Storage {
        var capacity = 0, byteCapacity = 0
        var scalarCount = 0, byteCount = 0
        var utf8 = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        /// byte offset of each scalar, plus the end: scalarCount + 1 entries.
        var boundaries = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        var starts = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        var ends = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

        init() {
            grow(scalars: 64, bytes: 256)
            boundaries[0] = 0
        }

        deinit {
            utf8.deallocate()
            boundaries.deallocate()
            starts.deallocate()
            ends.deallocate()
        }

        @inline(never)
        func grow(scalars: Int, bytes: Int) {
            if scalars > capacity {
                let newCapacity = max(scalars, capacity * 2)
                boundaries = reallocate(boundaries, count: scalarCount + 1, capacity: newCapacity + 1)
                starts = reallocate(starts, count: scalarCount, capacity: newCapacity)
                ends = reallocate(ends, count: scalarCount, capacity: newCapacity)
                capacity = newCapacity
            }
            if bytes > byteCapacity {
                let newCapacity = max(bytes, byteCapacity * 2)
                utf8 = reallocate(utf8, count: byteCount, capacity: newCapacity)
                byteCapacity = newCapacity
            }
        }

        private func reallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> UnsafeMutablePointer<T> {
            let fresh = UnsafeMutablePointer<T>.allocate(capacity: capacity)
            fresh.moveInitialize(from: pointer, count: count)
            pointer.deallocate()
            return fresh
        }
    }

    let storage = Storage()

    public init() {}

    public var scalarCount: Int { storage.scalarCount }
    public var isEmpty: Bool { storage.scalarCount == 0 }

    /// The word's UTF-8 bytes.
    public var utf8: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage.utf8, count: storage.byteCount) }
    /// Byte offset of each scalar in `utf8`, plus the end (`scalarCount + 1` entries).
    public var boundaries: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: storage.boundaries, count: storage.scalarCount + 1)
    }
    /// Original [start, end) of each scalar.
    public var starts: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: storage.starts, count: storage.scalarCount) }
    public var ends: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: storage.ends, count: storage.scalarCount) }

    @inline(__always)
    func removeAll() {
        storage.scalarCount = 0
        storage.byteCount = 0
    }

    @inline(__always)
    func append(_ scalar: UInt32, start: Int32, end: Int32) {
        let storage = storage
        if storage.scalarCount == storage.capacity || storage.byteCount + 4 > storage.byteCapacity {
            storage.grow(scalars: storage.scalarCount + 1, bytes: storage.byteCount + 4)
        }
        var byte = storage.byteCount
        let utf8 = storage.utf8
        // Safety: capacity for one more scalar and 4 more bytes was ensured above.
        if scalar < 0x80 {
            utf8[byte] = UInt8(scalar); byte += 1
        } else if scalar < 0x800 {
            utf8[byte] = UInt8(0xC0 | (scalar >> 6))
            utf8[byte + 1] = UInt8(0x80 | (scalar & 0x3F)); byte += 2
        } else if scalar < 0x10000 {
            utf8[byte] = UInt8(0xE0 | (scalar >> 12))
            utf8[byte + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            utf8[byte + 2] = UInt8(0x80 | (scalar & 0x3F)); byte += 3
        } else {
            utf8[byte] = UInt8(0xF0 | (scalar >> 18))
            utf8[byte + 1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            utf8[byte + 2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            utf8[byte + 3] = UInt8(0x80 | (scalar & 0x3F)); byte += 4
        }
        let index = storage.scalarCount
        storage.starts[index] = start
        storage.ends[index] = end
        storage.boundaries[index + 1] = Int32(byte)
        storage.byteCount = byte
        storage.scalarCount = index + 1
    }

    /// Loads the scalars `range` of `string`.
    func load(_ string: NormalizedString, _ range: Range<Int>) {
        removeAll()
        string.scalars.withUnsafeBufferPointer { scalars in
            string.starts.withUnsafeBufferPointer { starts in
                string.ends.withUnsafeBufferPointer { ends in
                    for index in range { append(scalars[index], start: starts[index], end: ends[index]) }
                }
            }
        }
    }
}

/// Where tokens go: ids with their [start, end) in original scalars, and for the rare token
/// whose text is not its vocabulary entry (HF's Unigram names an unknown token by the text it
/// covers) that text, in a side list the common path never touches.
///
/// Per-thread scratch reused from text to text, so like `WordBuffer` it owns raw buffers that
/// only grow: clearing is setting a count, appending is three stores (no uniqueness or capacity
/// checks of three arrays per token). Copies share the buffers; use one per thread.
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

/// A subword model: turns one word into tokens.
public protocol Model: Sendable {
    func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws
    func id(of token: String) -> Int32?
    func token(of id: Int32) -> String?
    var vocabularySize: Int { get }
    var json: JSONValue { get }
}
