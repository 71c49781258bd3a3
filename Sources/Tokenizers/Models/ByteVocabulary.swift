/// A token → id table keyed by UTF-8 bytes (never by Swift `String`, whose equality is
/// canonical equivalence: "é" precomposed and decomposed would collide). Open addressing with
/// linear probing over one contiguous key arena; lookups allocate nothing.
public struct ByteVocabulary: Sendable {
    private var arena: [UInt8] = []
    /// Per entry: key start in `arena`, key length, id.
    private var keyStarts: [Int32] = []
    private var keyLengths: [Int32] = []
    private var ids: [Int32] = []
    private var hashes: [UInt32] = []
    /// Slot → entry index + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int

    public private(set) var count = 0

    public init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        // FNV-1a: keys are short (a few scalars), so a byte loop is as fast as anything fancier.
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    /// Adds `key` with `id`; an existing key takes the new id (as a HF vocabulary map does when
    /// a vocab.txt repeats a line) and the call returns false.
    @discardableResult
    public mutating func insert<Bytes: Collection>(_ key: Bytes, id: Int32) -> Bool where Bytes.Element == UInt8 {
        let keyBytes = Array(key)
        if let entry = keyBytes.withUnsafeBufferPointer({ entryIndex($0) }) {
            ids[entry] = id
            return false
        }
        if (count + 1) * 2 > slots.count { grow() }
        let hash = keyBytes.withUnsafeBufferPointer { ByteVocabulary.hash($0) }
        keyStarts.append(Int32(arena.count))
        keyLengths.append(Int32(keyBytes.count))
        arena.append(contentsOf: keyBytes)
        ids.append(id)
        hashes.append(hash)
        count += 1
        place(entry: count - 1, hash: hash)
        return true
    }

    private mutating func place(entry: Int, hash: UInt32) {
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<count { place(entry: entry, hash: hashes[entry]) }
    }

    /// The id of `key`, or nil.
    @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        entryIndex(key).map { ids[$0] }
    }

    @inline(__always)
    private func entryIndex(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let hash = ByteVocabulary.hash(key)
        return slots.withUnsafeBufferPointer { slots -> Int? in
            arena.withUnsafeBufferPointer { arena -> Int? in
                var slot = Int(hash) & mask
                while true {
                    let entry = Int(slots[slot])
                    if entry == 0 { return nil }
                    let index = entry - 1
                    if hashes[index] == hash && Int(keyLengths[index]) == key.count {
                        let start = Int(keyStarts[index])
                        if key.count == 0 || memcmp(arena.baseAddress! + start, key.baseAddress!, key.count) == 0 {
                            return index
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    public func lookup(_ key: String) -> Int32? {
        var copy = key
        return copy.withUTF8 { lookup($0) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
