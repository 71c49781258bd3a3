import DSPrepSupport

/// One pre-tokenized word, ready for a model: its UTF-8 bytes, the byte offset of each scalar
/// (plus the end), and for each scalar its [start, end) in original scalars. Reused between
/// words so tokenizing allocates nothing once warm.
public struct WordBuffer: Sendable {
    public internal(set) var utf8: [UInt8] = []
    public internal(set) var boundaries: [Int32] = [0]
    public internal(set) var starts: [Int32] = []
    public internal(set) var ends: [Int32] = []

    public init() {}

    public var scalarCount: Int { starts.count }
    public var isEmpty: Bool { starts.isEmpty }

    @inline(__always)
    mutating func removeAll() {
        utf8.removeAll(keepingCapacity: true)
        boundaries.removeAll(keepingCapacity: true)
        boundaries.append(0)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func append(_ scalar: UInt32, start: Int32, end: Int32) {
        if scalar < 0x80 {
            utf8.append(UInt8(scalar))
        } else if scalar < 0x800 {
            utf8.append(UInt8(0xC0 | (scalar >> 6)))
            utf8.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            utf8.append(UInt8(0xE0 | (scalar >> 12)))
            utf8.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            utf8.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            utf8.append(UInt8(0xF0 | (scalar >> 18)))
            utf8.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            utf8.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            utf8.append(UInt8(0x80 | (scalar & 0x3F)))
        }
        boundaries.append(Int32(utf8.count))
        starts.append(start)
        ends.append(end)
    }

    mutating func load(_ piece: NormalizedString) {
        removeAll()
        for index in 0..<piece.count { append(piece.scalars[index], start: piece.starts[index], end: piece.ends[index]) }
    }
}

/// Where tokens go: ids with their [start, end) in original scalars.
public struct TokenSink: Sendable {
    public internal(set) var ids: [Int32] = []
    public internal(set) var starts: [Int32] = []
    public internal(set) var ends: [Int32] = []

    public init() {}

    @inline(__always)
    mutating func append(_ id: Int32, start: Int32, end: Int32) {
        ids.append(id)
        starts.append(start)
        ends.append(end)
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    var count: Int { ids.count }
}

/// A subword model: turns one word into tokens.
public protocol Model: Sendable {
    func tokenize(_ word: WordBuffer, into sink: inout TokenSink) throws
    func id(of token: String) -> Int32?
    func token(of id: Int32) -> String?
    var vocabularySize: Int { get }
    var json: JSONValue { get }
}
