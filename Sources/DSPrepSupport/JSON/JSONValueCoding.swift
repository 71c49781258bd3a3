import Foundation

/// Codable records (plans, summaries, shard stats, configs) to and from `JSONValue`, so that every
/// JSON file dsprep reads goes through one parser (`JSONScanner`, errors with line and column) and
/// every one it writes through one writer. Numbers are exact: an integer that a Double cannot hold
/// exactly (beyond 2^53 − 1, RFC 8259's interoperable range) is an error both ways, never rounded.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let slot = EncodingSlot()
        try value.encode(to: SlotEncoder(slot: slot, codingPath: []))
        guard let json = slot.resolved else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded no value"))
        }
        return json
    }

    /// The record as a file's text, keys sorted, in `layout` (by default what Python's
    /// `json.dump(x, f, indent=2, sort_keys=True)` writes).
    public func text<T: Encodable>(_ value: T, layout: JSONValue.Layout = .pythonDumps(indent: 2)) throws -> String {
        try encode(value).sortingKeys().serialized(layout)
    }
}

public struct JSONValueDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: []))
    }

    /// Parses the file's bytes and decodes them; both kinds of error are an `InputError` naming
    /// `path` (the parser's with line and column, the decoder's with the key path).
    public func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        let value = try data.withUnsafeBytes { try JSONValue.parse($0, path: path) }
        do { return try decode(type, from: value) } catch let error as DecodingError {
            throw InputError(error.readableDescription, at: SourceLocation(path: path))
        }
    }
}

extension JSONValue {
    /// 2^53 − 1, the end of RFC 8259's interoperable integer range: up to it, a number in a file
    /// names one integer; beyond it, several spellings read as the same Double.
    public static let largestExactInteger: Double = 9_007_199_254_740_991

    /// The text of a file as transformers writes its JSON files (`json.dumps(indent=2,
    /// sort_keys=True)` plus a newline): config.json, trainer_state.json, ...
    public var sortedFileText: String { sortingKeys().serialized(.pythonDumps(indent: 2)) + "\n" }

    /// The same document with every object's keys in ascending order (what `sort_keys=True` writes).
    public func sortingKeys() -> JSONValue {
        switch self {
        case let .array(items): return .array(items.map { $0.sortingKeys() })
        case let .object(members): return .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.sortingKeys()) })
        default: return self
        }
    }
}

extension DecodingError {
    /// "splits[0].rows: expected a number, found a string": the key path, then what went wrong.
    public var readableDescription: String {
        func path(_ context: Context) -> String {
            context.codingPath.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
        }
        switch self {
        case let .keyNotFound(key, context):
            let parent = path(context)
            return "no \"\(key.stringValue)\"" + (parent.isEmpty ? "" : " in \(parent)")
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            let location = path(context)
            return (location.isEmpty ? "" : location + ": ") + context.debugDescription
        @unknown default:
            return String(describing: self)
        }
    }
}

// MARK: - Encoding

/// Where an encoder writes: nothing yet, a finished value, or a container that fills later.
private final class EncodingSlot {
    enum Content {
        case empty
        case value(JSONValue)
        case object([(String, EncodingSlot)])
        case array([EncodingSlot])
    }
    var content = Content.empty

    var resolved: JSONValue? {
        switch content {
        case .empty: return nil
        case let .value(value): return value
        case let .object(members): return .object(members.compactMap { key, slot in slot.resolved.map { (key, $0) } })
        case let .array(items): return .array(items.map { $0.resolved ?? .null })
        }
    }

    /// The slot for `key`: the one written before under that key (last write wins), or a new one.
    func member(_ key: String) -> EncodingSlot {
        if case .object(let members) = content, let existing = members.first(where: { $0.0 == key }) { return existing.1 }
        let slot = EncodingSlot()
        if case .object(var members) = content { members.append((key, slot)); content = .object(members) }
        return slot
    }

    func appended() -> EncodingSlot {
        let slot = EncodingSlot()
        if case .array(var items) = content { items.append(slot); content = .array(items) }
        return slot
    }

    func makeObject() { if case .object = content {} else { content = .object([]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }
}

private struct SlotEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        slot.makeArray()
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }
}

/// The scalar conversions every container shares.
private enum Scalar {
    static func integer<T: BinaryInteger>(_ value: T, at path: [CodingKey]) throws -> JSONValue {
        guard let number = JSONValue.exactNumber(value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is beyond 2^53 − 1, where JSON numbers stop being exact"))
        }
        return number
    }

    static func double(_ value: Double, at path: [CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "JSON has no \(value)"))
        }
        return .number(value)
    }

    /// The shortest decimal that reads back as the Float (0.1, not 0.10000000149011612).
    static func float(_ value: Float, at path: [CodingKey]) throws -> JSONValue {
        try double(Double(value.description) ?? Double(value), at: path)
    }

    static func encodable<T: Encodable>(_ value: T, into slot: EncodingSlot, at path: [CodingKey]) throws {
        try value.encode(to: SlotEncoder(slot: slot, codingPath: path))
    }
}

private struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [CodingKey]

    private func set(_ value: JSONValue, _ key: Key) { slot.member(key.stringValue).content = .value(value) }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try Scalar.double(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try Scalar.float(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try Scalar.integer(value, at: codingPath + [key]), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try Scalar.encodable(value, into: slot.member(key.stringValue), at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { SlotEncoder(slot: slot.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> Encoder { SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [CodingKey]
    var count: Int { if case let .array(items) = slot.content { return items.count } else { return 0 } }

    private var nextPath: [CodingKey] { codingPath + [IndexKey(count)] }
    private func append(_ value: JSONValue) { slot.appended().content = .value(value) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try Scalar.double(value, at: nextPath)) }
    mutating func encode(_ value: Float) throws { append(try Scalar.float(value, at: nextPath)) }
    mutating func encode(_ value: Int) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: Int8) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: Int16) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: Int32) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: Int64) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: UInt) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: UInt8) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: UInt16) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: UInt32) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode(_ value: UInt64) throws { append(try Scalar.integer(value, at: nextPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try Scalar.encodable(value, into: slot.appended(), at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        return SlotEncoder(slot: slot.appended(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let path = nextPath
        return SlotEncoder(slot: slot.appended(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let path = nextPath
        return SlotEncoder(slot: slot.appended(), codingPath: path)
    }
}

private struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [CodingKey]

    private func set(_ value: JSONValue) { slot.content = .value(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try Scalar.double(value, at: codingPath)) }
    mutating func encode(_ value: Float) throws { set(try Scalar.float(value, at: codingPath)) }
    mutating func encode(_ value: Int) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: Int8) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: Int16) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: Int32) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: Int64) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: UInt) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: UInt8) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: UInt16) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: UInt32) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode(_ value: UInt64) throws { set(try Scalar.integer(value, at: codingPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try Scalar.encodable(value, into: slot, at: codingPath) }
}

/// An array position in a coding path.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

// MARK: - Decoding

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let members = value.objectValue else { throw Expect.mismatch([String: Any].self, "an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedValueContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard let items = value.arrayValue else { throw Expect.mismatch([Any].self, "an array", value, codingPath) }
        return UnkeyedValueContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueContainer(value: value, codingPath: codingPath) }
}

/// The scalar reads every container shares, each strict about the JSON type it accepts.
private enum Expect {
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func mismatch(_ type: Any.Type, _ expected: String, _ value: JSONValue, _ path: [CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected), found \(describe(value))"))
    }

    static func bool(_ value: JSONValue, _ path: [CodingKey]) throws -> Bool {
        guard let flag = value.boolValue else { throw mismatch(Bool.self, "true or false", value, path) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: [CodingKey]) throws -> String {
        guard let text = value.stringValue else { throw mismatch(String.self, "a string", value, path) }
        return text
    }

    static func double(_ value: JSONValue, _ path: [CodingKey]) throws -> Double {
        guard case let .number(number) = value else { throw mismatch(Double.self, "a number", value, path) }
        return number
    }

    /// A whole number that `T` holds and that the file spelled exactly (within 2^53 − 1).
    static func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: [CodingKey]) throws -> T {
        let number = try double(value, path)
        guard let exact = value.exactInteger(as: T.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "expected a whole number that \(T.self) holds exactly, found \(number)"))
        }
        return exact
    }

    static func decodable<T: Decodable>(_ value: JSONValue, _ path: [CodingKey]) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: path))
    }
}

private struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let codingPath: [CodingKey]
    /// A repeated key keeps its last value, as Python's json does.
    private let members: [String: JSONValue]
    let allKeys: [Key]

    init(members: [(String, JSONValue)], codingPath: [CodingKey]) {
        self.members = Dictionary(members, uniquingKeysWith: { _, last in last })
        self.codingPath = codingPath
        allKeys = members.compactMap { Key(stringValue: $0.0) }
    }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no \"\(key.stringValue)\""))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Expect.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Expect.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Expect.double(value(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Expect.double(value(key), codingPath + [key])) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Expect.integer(value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Expect.integer(value(key), codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try Expect.decodable(value(key), codingPath + [key]) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { ValueDecoder(value: members["super"] ?? .null, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> Decoder { ValueDecoder(value: try value(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    private(set) var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    /// The next item and its path, moving past it.
    private mutating func next(_ type: Any.Type) throws -> (JSONValue, [CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "the array ends after \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try Expect.bool(v, p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try Expect.string(v, p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try Expect.double(v, p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return Float(try Expect.double(v, p)) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(type); return try Expect.integer(v, p) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (v, p) = try next(type); return try Expect.decodable(v, p) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next(type)
        return try ValueDecoder(value: v, codingPath: p).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (v, p) = try next([Any].self)
        return try ValueDecoder(value: v, codingPath: p).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder {
        let (v, p) = try next(Any.self)
        return ValueDecoder(value: v, codingPath: p)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Expect.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Expect.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Expect.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Expect.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Expect.integer(value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Expect.integer(value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Expect.integer(value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Expect.integer(value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Expect.integer(value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Expect.integer(value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Expect.integer(value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Expect.integer(value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Expect.integer(value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Expect.integer(value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try Expect.decodable(value, codingPath) }
}
