/// XXH64 (Yann Collet's xxHash, 64-bit variant, implemented from its published specification):
/// a fast non-cryptographic hash used to key caches on content. Two seeds give a 128-bit key,
/// printed as 32 hex digits.
public struct ContentHasher {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var lanes: [(UInt64, UInt64, UInt64, UInt64)]
    private let seeds: [UInt64] = [0, 0x6473_7072_6570]  // second seed: "dsprep"
    private var pending: [UInt8] = []
    private var totalLength: UInt64 = 0

    public init() {
        lanes = seeds.map { seed in
            (seed &+ Self.prime1 &+ Self.prime2, seed &+ Self.prime2, seed, seed &- Self.prime1)
        }
        pending.reserveCapacity(32)
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        var value = accumulator &+ input &* prime2
        value = (value << 31) | (value >> 33)
        return value &* prime1
    }

    @inline(__always)
    private static func mergeRound(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        var result = accumulator ^ round(0, value)
        result = result &* prime1 &+ prime4
        return result
    }

    private mutating func consumeStripes(_ bytes: UnsafeRawBufferPointer) {
        // Each 32-byte stripe feeds four lanes of both seeds: one load, eight accumulators.
        let stripes = bytes.count / 32
        var (a1, a2, a3, a4) = lanes[0]
        var (b1, b2, b3, b4) = lanes[1]
        var offset = 0
        for _ in 0..<stripes {
            let w1 = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            let w2 = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self).littleEndian
            let w3 = bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self).littleEndian
            let w4 = bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self).littleEndian
            a1 = Self.round(a1, w1); a2 = Self.round(a2, w2); a3 = Self.round(a3, w3); a4 = Self.round(a4, w4)
            b1 = Self.round(b1, w1); b2 = Self.round(b2, w2); b3 = Self.round(b3, w3); b4 = Self.round(b4, w4)
            offset += 32
        }
        lanes[0] = (a1, a2, a3, a4)
        lanes[1] = (b1, b2, b3, b4)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        totalLength &+= UInt64(bytes.count)
        var input = bytes
        if !pending.isEmpty {
            let take = min(32 - pending.count, input.count)
            pending.append(contentsOf: input[input.startIndex..<(input.startIndex + take)])
            input = UnsafeRawBufferPointer(rebasing: input[(input.startIndex + take)...])
            if pending.count == 32 {
                pending.withUnsafeBytes { consumeStripes($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let whole = input.count / 32 * 32
        if whole > 0 { consumeStripes(UnsafeRawBufferPointer(rebasing: input[input.startIndex..<(input.startIndex + whole)])) }
        pending.append(contentsOf: input[(input.startIndex + whole)...])
    }

    public mutating func update(_ text: String) {
        var text = text
        // Length-prefix strings so that ("ab","c") and ("a","bc") hash differently.
        var length = UInt64(text.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { update($0) }
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ number: Int) {
        var value = UInt64(bitPattern: Int64(number)).littleEndian
        withUnsafeBytes(of: &value) { update($0) }
    }

    private func finalize(_ lane: (UInt64, UInt64, UInt64, UInt64), seed: UInt64) -> UInt64 {
        var hash: UInt64
        let (v1, v2, v3, v4) = lane
        if totalLength >= 32 {
            hash = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            hash = Self.mergeRound(hash, v1)
            hash = Self.mergeRound(hash, v2)
            hash = Self.mergeRound(hash, v3)
            hash = Self.mergeRound(hash, v4)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= totalLength
        pending.withUnsafeBytes { tail in
            var offset = 0
            while offset + 8 <= tail.count {
                let word = Self.round(0, tail.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
                hash ^= word
                hash = ((hash << 27) | (hash >> 37)) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if offset + 4 <= tail.count {
                hash ^= UInt64(tail.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) &* Self.prime1
                hash = ((hash << 23) | (hash >> 41)) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < tail.count {
                hash ^= UInt64(tail[offset]) &* Self.prime5
                hash = ((hash << 11) | (hash >> 53)) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash = hash &* Self.prime2
        hash ^= hash >> 29
        hash = hash &* Self.prime3
        hash ^= hash >> 32
        return hash
    }

    /// XXH64 of everything fed so far with seed 0 (the standard XXH64 value).
    public var xxh64: UInt64 { finalize(lanes[0], seed: seeds[0]) }

    /// A 128-bit key (two seeds) as 32 lowercase hex digits.
    public var hexDigest: String {
        zip(lanes, seeds).map { lane, seed in
            let hex = String(finalize(lane, seed: seed), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
