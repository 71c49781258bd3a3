/// The vocabulary a trainer grows: token strings by id as UTF-8 bytes in one arena, with a
/// byte-keyed lookup (never Swift `String`, whose equality is canonical equivalence).
struct SymbolTable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var lookup = ByteVocabulary(capacity: 1 << 14)

    var count: Int { starts.count - 1 }

    func bytes(_ id: Int32) -> ArraySlice<UInt8> { arena[starts[Int(id)]..<starts[Int(id) + 1]] }

    func string(_ id: Int32) -> String { String(decoding: bytes(id), as: UTF8.self) }

    func id<Bytes: Collection>(of token: Bytes) -> Int32? where Bytes.Element == UInt8 {
        Array(token).withUnsafeBufferPointer { lookup.lookup($0) }
    }

    /// The id of `token`, adding it at the end when it is new.
    @discardableResult
    mutating func intern<Bytes: Collection>(_ token: Bytes) -> Int32 where Bytes.Element == UInt8 {
        if let existing = id(of: token) { return existing }
        let id = Int32(count)
        arena.append(contentsOf: token)
        starts.append(arena.count)
        lookup.insert(token, id: id)
        return id
    }

    /// Every token in id order.
    var strings: [String] { (0..<count).map { string(Int32($0)) } }
}

extension UInt32 {
    /// This scalar's UTF-8 bytes (invalid scalars become U+FFFD).
    var utf8Bytes: [UInt8] { Array(String(Unicode.Scalar(self).map(Character.init) ?? "\u{FFFD}").utf8) }
}
