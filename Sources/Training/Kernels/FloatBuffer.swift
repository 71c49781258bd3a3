#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned, zero-initialised, fixed-size block of `Float`s. Parameters, gradients, optimizer
/// moments and activations all live in these, and kernels work on raw pointers into them
/// (llm.c style), so no per-layer arrays are allocated in the training loop.
///
/// Large buffers are anonymous memory maps: their pages read as zero and become resident only
/// when written, so an arena's spare room, or a layout's regions a batch does not reach, cost no
/// memory (a zero-filling allocation would make every page resident at once).
/// Unchecked Sendable: raw memory that parallel kernels write on disjoint ranges (Parallel's contract).
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Whether `pointer` is a map of this many bytes (else an allocation).
    private let mappedBytes: Int?

    /// Buffers of at least this many bytes are mapped (a page-aligned map of a small buffer would waste most of a page).
    static let mapThreshold = 1 << 20

    public init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= Self.mapThreshold {
            #if os(Linux)
            let anonymous = MAP_ANONYMOUS
            #else
            let anonymous = MAP_ANON
            #endif
            guard let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | anonymous, -1, 0), base != MAP_FAILED else {
                fatalError("out of memory: cannot map \(bytes) bytes for a Float buffer")
            }
            pointer = base.bindMemory(to: Float.self, capacity: max(count, 1))
            mappedBytes = bytes
        } else {
            // 64-byte alignment keeps SIMD loads and OpenBLAS packing on cache-line boundaries (maps are page-aligned).
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            mappedBytes = nil
        }
    }

    deinit {
        if let mappedBytes { munmap(pointer, mappedBytes) } else { pointer.deallocate() }
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public subscript(index: Int) -> Float {
        get { precondition(index >= 0 && index < count, "FloatBuffer index out of bounds"); return pointer[index] }
        set { precondition(index >= 0 && index < count, "FloatBuffer index out of bounds"); pointer[index] = newValue }
    }

    public func toArray() -> [Float] { Array(buffer) }
}

/// Activation memory for one forward/backward pass: a single buffer carved into named regions.
/// Regions are re-laid out for every batch shape (dynamic padding changes T); the buffer only
/// grows, so after the longest batch has been seen nothing is allocated again.
/// Unchecked Sendable: laid out on one thread between passes; kernels then write disjoint ranges of its regions.
public final class Arena: @unchecked Sendable {
    private var storage = FloatBuffer(count: 0)
    private var used = 0

    public init() {}

    /// Floats the buffer holds (what the biggest layout so far needed, and a quarter more).
    public var capacity: Int { storage.count }

    /// Starts a new layout; pointers handed out before are invalid afterwards.
    /// `capacity` is the total the caller is about to take (so the buffer is grown once). It grows
    /// with a quarter to spare: packed batches vary in size, and each growth copies nothing but
    /// starts from fresh pages (the spare ones are not resident until a bigger batch writes them).
    public func reset(capacity: Int) {
        if capacity > storage.count { storage = FloatBuffer(count: capacity + capacity / 4) }
        used = 0
    }

    /// Takes the next `count` floats (rounded up to 16 for alignment). Contents are not cleared.
    public func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let rounded = Arena.rounded(count)
        precondition(used + rounded <= storage.count, "Arena layout exceeds the capacity passed to reset")
        defer { used += rounded }
        return storage.pointer + used
    }

    public static func rounded(_ count: Int) -> Int { (count + 15) & ~15 }
}
