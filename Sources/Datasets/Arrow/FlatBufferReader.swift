/// A malformed flatbuffer: an offset or length that points outside the buffer. The Arrow reader
/// turns it into an `InputError` that names the file and the message.
struct FlatBufferError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A bounds-checked, read-only view of one flatbuffer (the Arrow IPC metadata encoding).
///
/// Layout reminder (flatbuffers "binary format"): the buffer starts with a u32 offset to the root
/// table; a table starts with an i32 that points back to its vtable (`vtable = table - value`); a
/// vtable is `[u16 vtable size, u16 table size, u16 field offset...]` where 0 means "absent";
/// reference fields (tables, strings, vectors) hold a u32 offset relative to the field itself;
/// strings and vectors start with a u32 element count. Every read is checked against the
/// buffer's bounds because the bytes come from a user's file.
struct FlatBuffer {
    /// Keeps the memory alive; `bytes` is its view.
    private let storage: ByteBuffer
    let bytes: UnsafeRawBufferPointer

    init(_ storage: ByteBuffer) {
        self.storage = storage
        bytes = storage.bytes
    }

    func rootTable() throws -> FlatTable {
        try FlatTable(buffer: self, position: try offsetTarget(at: 0))
    }

    /// Checks that `size` bytes at `position` lie inside the buffer.
    @inline(__always)
    func require(_ position: Int, _ size: Int) throws {
        guard position >= 0, size >= 0, position <= bytes.count - size else {
            throw FlatBufferError("corrupt Arrow metadata: read of \(size) bytes at \(position) is outside its \(bytes.count) bytes")
        }
    }

    func load<T: FixedWidthInteger>(_: T.Type, at position: Int) throws -> T {
        try require(position, MemoryLayout<T>.size)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// Follows the u32 offset stored at `position` (relative to `position`).
    func offsetTarget(at position: Int) throws -> Int {
        position + Int(try load(UInt32.self, at: position))
    }
}

/// One table inside a `FlatBuffer`; fields are addressed by their slot (declaration order in the
/// .fbs file, counting a union as two slots: its type byte, then its value).
struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    init(buffer: FlatBuffer, position: Int) throws {
        self.buffer = buffer
        self.position = position
        vtable = position - Int(try buffer.load(Int32.self, at: position))
        vtableSize = Int(try buffer.load(UInt16.self, at: vtable))
        guard vtableSize >= 4, vtableSize % 2 == 0 else { throw FlatBufferError("corrupt Arrow metadata: vtable of size \(vtableSize)") }
        try buffer.require(vtable, vtableSize)
    }

    /// Absolute position of the field in `slot`, or nil when the field is absent.
    func fieldPosition(_ slot: Int) throws -> Int? {
        let entry = 4 + 2 * slot
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.load(UInt16.self, at: vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    func scalar<T: FixedWidthInteger>(_ slot: Int, default value: T) throws -> T {
        guard let field = try fieldPosition(slot) else { return value }
        return try buffer.load(T.self, at: field)
    }

    func bool(_ slot: Int, default value: Bool = false) throws -> Bool {
        try scalar(slot, default: UInt8(value ? 1 : 0)) != 0
    }

    func table(_ slot: Int) throws -> FlatTable? {
        guard let field = try fieldPosition(slot) else { return nil }
        return try FlatTable(buffer: buffer, position: try buffer.offsetTarget(at: field))
    }

    func string(_ slot: Int) throws -> String? {
        guard let vector = try vector(slot, elementSize: 1) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer.bytes[vector.start..<(vector.start + vector.count)]),
                      as: UTF8.self)
    }

    /// A vector's element count and the position of its first element, checked to fit.
    func vector(_ slot: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let field = try fieldPosition(slot) else { return nil }
        let lengthPosition = try buffer.offsetTarget(at: field)
        let count = Int(try buffer.load(UInt32.self, at: lengthPosition))
        try buffer.require(lengthPosition + 4, count * elementSize)
        return (lengthPosition + 4, count)
    }

    /// A vector of tables (each element is a u32 offset to a table).
    func tables(_ slot: Int) throws -> [FlatTable] {
        guard let vector = try vector(slot, elementSize: 4) else { return [] }
        return try (0..<vector.count).map { index in
            try FlatTable(buffer: buffer, position: try buffer.offsetTarget(at: vector.start + 4 * index))
        }
    }
}
