/// A token → id table keyed by UTF-8 bytes (never by Swift `String`, whose equality is
/// canonical equivalence: "é" precomposed and decomposed would collide). Open addressing with
/// linear probing over one contiguous key arena; lookups allocate nothing.
///
/// Besides tokens it can hold prefix-only entries (value -1), which lets WordPiece find the
/// longest match in one forward walk with an incrementally updated hash (see `WordPiece`).
public struct ByteVocabulary: Sendable {
    private struct Entry {
        var hash: UInt32
        var start: Int32
        var length: Int32
        var value: Int32
    }

    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    /// Slot → entry index + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int

    /// Entries that are tokens (not prefix-only).
    public private(set) var count = 0

    public init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
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

    /// Adds `key` with `id`; an existing key takes the new id (as a HF vocabulary map does when
    /// a vocab.txt repeats a line).
    public mutating func insert<Bytes: Collection>(_ key: Bytes, id: Int32) where Bytes.Element == UInt8 {
        let keyBytes = Array(key)
        if let entry = keyBytes.withUnsafeBufferPointer({ entryIndex($0, hash: ByteVocabulary.hash($0)) }) {
            if entries[entry].value < 0 { count += 1 }
            entries[entry].value = id
            return
        }
        add(keyBytes, value: id)
        count += 1
    }

    /// Marks `key` as the prefix of some token, unless it is already present.
    public mutating func insertPrefix<Bytes: Collection>(_ key: Bytes) where Bytes.Element == UInt8 {
        let keyBytes = Array(key)
        if keyBytes.withUnsafeBufferPointer({ entryIndex($0, hash: ByteVocabulary.hash($0)) }) != nil { return }
        add(keyBytes, value: -1)
    }

    private mutating func add(_ key: [UInt8], value: Int32) {
        if (entries.count + 1) * 2 > slots.count { grow() }
        let hash = key.withUnsafeBufferPointer { ByteVocabulary.hash($0) }
        entries.append(Entry(hash: hash, start: Int32(arena.count), length: Int32(key.count), value: value))
        arena.append(contentsOf: key)
        place(entry: entries.count - 1, hash: hash)
    }

    private mutating func place(entry: Int, hash: UInt32) {
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (index, entry) in entries.enumerated() { place(entry: index, hash: entry.hash) }
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
        entryIndex(key, hash: hash).map { entries[$0].value }
    }

    @inline(__always)
    private func entryIndex(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int? {
        slots.withUnsafeBufferPointer { slots -> Int? in
            entries.withUnsafeBufferPointer { entries -> Int? in
                arena.withUnsafeBufferPointer { arena -> Int? in
                    var slot = Int(hash) & mask
                    while true {
                        let stored = Int(slots[slot])
                        if stored == 0 { return nil }
                        let entry = entries[stored - 1]
                        if entry.hash == hash && Int(entry.length) == key.count {
                            var equal = true
                            var offset = Int(entry.start)
                            for byte in key {
                                if arena[offset] != byte { equal = false; break }
                                offset += 1
                            }
                            if equal { return stored - 1 }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }
}
