import DSPrepSupport
import Foundation

/// An immutable run of bytes that a column reads: either a slice of a memory-mapped file or a
/// heap allocation. It keeps its owner alive, so a column read from disk stays valid as long as
/// any column or row view refers to it, and nothing is copied on open.
/// Unchecked Sendable: a raw pointer is not Sendable, but these bytes are never written after creation and the owner keeps them alive.
public struct ByteBuffer: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject?

    public init(bytes: UnsafeRawBufferPointer, owner: AnyObject?) {
        self.bytes = bytes
        self.owner = owner
    }

    /// A slice of a mapped file (no copy).
    public init(_ file: MappedFile, range: Range<Int>) {
        self.init(bytes: UnsafeRawBufferPointer(rebasing: file.bytes[range]), owner: file)
    }

    public var count: Int { bytes.count }

    /// A sub-range of these bytes that keeps the same owner alive (no copy).
    public func slice(_ range: Range<Int>) -> ByteBuffer {
        ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]), owner: owner)
    }

    /// The bytes as `count` values of `T` (unaligned-safe only for aligned buffers: Arrow
    /// buffers are 8-byte aligned in files we read and in allocations we make).
    @inline(__always)
    public func typed<T>(_: T.Type, count: Int) -> UnsafeBufferPointer<T> {
        guard let base = bytes.baseAddress, count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: count)
    }

    @inline(__always)
    public func load<T>(_ index: Int, as: T.Type) -> T {
        bytes.load(fromByteOffset: index &* MemoryLayout<T>.stride, as: T.self)
    }

    /// Bit `index` of a bit-packed (LSB first) buffer.
    @inline(__always)
    public func bit(_ index: Int) -> Bool {
        (bytes[index >> 3] >> UInt8(index & 7)) & 1 == 1
    }

    public static let empty = ByteBuffer(bytes: UnsafeRawBufferPointer(start: nil, count: 0), owner: nil)
}

/// A heap allocation that a `ByteBuffer` can own; 64-byte aligned as Arrow recommends.
final class HeapStorage {
    let pointer: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { pointer.deallocate() }
}

/// An append-only byte buffer used by builders; `finish()` hands its memory to a `ByteBuffer`.
struct GrowableBuffer {
    private(set) var storage: HeapStorage
    private(set) var count = 0

    init(capacity: Int = 64) { storage = HeapStorage(capacity: capacity) }

    mutating func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > storage.capacity else { return }
        var capacity = storage.capacity
        while capacity < needed { capacity = capacity * 2 }
        let grown = HeapStorage(capacity: capacity)
        grown.pointer.copyMemory(from: storage.pointer, byteCount: count)
        storage = grown
    }

    @inline(__always)
    mutating func append<T>(_ value: T) {
        reserve(MemoryLayout<T>.stride)
        storage.pointer.storeBytes(of: value, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.stride
    }

    mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage.pointer + count).copyMemory(from: base, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends `n` zero bytes.
    mutating func appendZeros(_ n: Int) {
        reserve(n)
        (storage.pointer + count).initializeMemory(as: UInt8.self, repeating: 0, count: n)
        count += n
    }

    /// Sets bit `index` (LSB first), growing with zero bytes as needed.
    mutating func setBit(_ index: Int, to value: Bool) {
        let byteIndex = index >> 3
        if byteIndex >= count { appendZeros(byteIndex - count + 1) }
        let pointer = storage.pointer.assumingMemoryBound(to: UInt8.self) + byteIndex
        if value { pointer.pointee |= 1 << UInt8(index & 7) } else { pointer.pointee &= ~(1 << UInt8(index & 7)) }
    }

    func finish() -> ByteBuffer {
        ByteBuffer(bytes: UnsafeRawBufferPointer(start: storage.pointer, count: count), owner: storage)
    }
}
