/// A token → id table keyed by UTF-8 bytes (never by Swift `String`, whose equality is
/// canonical equivalence: "é" precomposed and decomposed would collide). Open addressing with
/// linear probing; lookups allocate nothing.
///
/// Besides tokens it can hold prefix-only entries (value -1), which lets WordPiece find the
/// longest match in one forward walk with an incrementally updated hash (see `WordPiece`).
///
/// Layout, for cache behaviour on the hot path: each slot holds the hash, the value and where
/// its key bytes are, so a probe touches one slot and then the key bytes; a prefix entry points
/// into the bytes of the token it was made from, so the successive probes of one walk read the
/// same bytes.
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
    private var used = 0

    /// Entries that are tokens (not prefix-only).
    public private(set) var count = 0

    public init(capacity: Int) {
        var size = 16
        while size * 5 < capacity * 8 { size <<= 1 }
        slots = [Slot](repeating: Slot(hash: 0, value: 0, start: 0, length: 0), count: size)
        mask = size - 1
    }

    // FNV-1a: keys are short (a few scalars), and it extends one byte at a time, which the
    // forward longest-match walk relies on.
    public static let initialHash: UInt32 = 2_166_136_261

    @inline(__always)
    public static func hash(_ hash: UInt32, adding byte: UInt8) -> UInt32 { (hash ^ UInt32(byte)) &* 16_777_619 }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var result = initialHash
        for byte in bytes { result = hash(result, adding: byte) }
        return result
    }

    /// Adds `token` with `id`, and each of its proper prefixes that ends on a scalar boundary as a
    /// prefix-only entry (when `withPrefixes`). An existing token takes the new id (as a HF
    /// vocabulary map does when a vocab.txt repeats a line). Empty tokens are ignored.
    public mutating func insert<Bytes: Collection>(_ token: Bytes, id: Int32, withPrefixes: Bool = false) where Bytes.Element == UInt8 {
        let bytes = Array(token)
        guard !bytes.isEmpty else { return }
        let start = Int32(arena.count)
        arena.append(contentsOf: bytes)
        if withPrefixes {
            for end in 1..<bytes.count where bytes[end] & 0xC0 != 0x80 { set(start: start, length: end, value: -1, overwrite: false) }
        }
        set(start: start, length: bytes.count, value: id, overwrite: true)
    }

    private mutating func set(start: Int32, length: Int, value: Int32, overwrite: Bool) {
        let key = Array(arena[Int(start)..<Int(start) + length])
        let hash = key.withUnsafeBufferPointer { ByteVocabulary.hash($0) }
        if let slot = key.withUnsafeBufferPointer({ slotIndex($0, hash: hash) }) {
            if overwrite {
                if slots[slot].value < 0 && value >= 0 { count += 1 }
                slots[slot].value = value
            }
            return
        }
        if (used + 1) * 8 > slots.count * 5 { grow() }
        place(Slot(hash: hash, value: value, start: start, length: Int32(length)))
        used += 1
        if value >= 0 { count += 1 }
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

    /// The id of token `key`, or nil (also for prefix-only entries).
    @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard let value = lookup(key, hash: ByteVocabulary.hash(key)), value >= 0 else { return nil }
        return value
    }

    public func lookup(_ key: String) -> Int32? {
        var copy = key
        return copy.withUTF8 { lookup($0) }
    }

    /// The stored value of `key` whose hash is `hash`: an id, -1 for a prefix-only entry, nil when absent.
    @inline(__always)
    public func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32? {
        slotIndex(key, hash: hash).map { slots[$0].value }
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
