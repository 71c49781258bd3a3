/// A token → id table keyed by UTF-8 bytes (never by Swift `String`, whose equality is
/// canonical equivalence: "é" precomposed and decomposed would collide). Open addressing with
/// linear probing; lookups allocate nothing.
///
/// Layout: each slot holds the hash, the id and where its key bytes are, so a probe touches
/// one slot and then the key bytes.
public struct ByteVocabulary: Sendable {
    private struct Slot {
        var hash: UInt32
        var value: Int32
        var start: Int32
        /// 0 marks an empty slot (keys are never empty).
        var length: Int32
    }

    private var arena: [UInt8] = []
    private var slots: [Slot]
    private var mask: Int

    /// Entries.
    public private(set) var count = 0

    public init(capacity: Int) {
        var size = 16
        while size * 5 < capacity * 8 { size <<= 1 }
        slots = [Slot](repeating: Slot(hash: 0, value: 0, start: 0, length: 0), count: size)
        mask = size - 1
    }

    // FNV-1a: keys are short (a few scalars).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var result: UInt32 = 2_166_136_261
        for byte in bytes { result = (result ^ UInt32(byte)) &* 16_777_619 }
        return result
    }

    /// Adds `token` with `id`. An existing token takes the new id (as a HF vocabulary map does
    /// when a vocab.txt repeats a line). Empty tokens are ignored.
    public mutating func insert<Bytes: Collection>(_ token: Bytes, id: Int32) where Bytes.Element == UInt8 {
        let key = Array(token)
        guard !key.isEmpty else { return }
        let hash = key.withUnsafeBufferPointer { ByteVocabulary.hash($0) }
        if let slot = key.withUnsafeBufferPointer({ slotIndex($0, hash: hash) }) {
            slots[slot].value = id
            return
        }
        let start = Int32(arena.count)
        arena.append(contentsOf: key)
        if (count + 1) * 8 > slots.count * 5 { grow() }
        place(Slot(hash: hash, value: id, start: start, length: Int32(key.count)))
        count += 1
    }

    private mutating func place(_ entry: Slot) {
        var slot = Int(entry.hash) & mask
        while slots[slot].length != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(hash: 0, value: 0, start: 0, length: 0), count: old.count * 2)
        mask = slots.count - 1
        for entry in old where entry.length != 0 { place(entry) }
    }

    /// The id of token `key`, or nil.
    @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        slotIndex(key, hash: ByteVocabulary.hash(key)).map { slots[$0].value }
    }

    public func lookup(_ key: String) -> Int32? {
        var copy = key
        return copy.withUTF8 { lookup($0) }
    }

    @inline(__always)
    private func slotIndex(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int? {
        slots.withUnsafeBufferPointer { slots -> Int? in
            arena.withUnsafeBufferPointer { arena -> Int? in
                var index = Int(hash) & mask
                while true {
                    let slot = slots[index]
                    if slot.length == 0 { return nil }
                    if slot.hash == hash && Int(slot.length) == key.count {
                        var equal = true
                        var offset = Int(slot.start)
                        for byte in key {
                            if arena[offset] != byte { equal = false; break }
                            offset += 1
                        }
                        if equal { return index }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }
}
