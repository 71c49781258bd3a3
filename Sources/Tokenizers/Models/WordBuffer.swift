/// One pre-tokenized word, ready for a model: its UTF-8 bytes, the byte offset of each scalar
/// (plus the end), and for each scalar its [start, end) in original scalars.
///
/// It is per-thread scratch reused from word to word, so it owns raw buffers that only grow:
/// clearing is setting two counts, and appending is a store (no uniqueness or capacity checks
/// of four arrays per scalar). Copies share the buffers; use one per thread.
/// Unchecked Sendable: per-thread scratch; it crosses threads only to be handed over, never to be shared.
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
