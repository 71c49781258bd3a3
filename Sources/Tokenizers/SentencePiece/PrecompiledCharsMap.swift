import DSPrepSupport

/// sentencepiece's compiled normalization rules (`NormalizerSpec.precompiled_charsmap`, and HF's
/// `Precompiled` normalizer): `<trie size: UInt32 LE><Darts-clone double array><replacements>`.
/// The double array maps a UTF-8 source sequence to an offset into the NUL-delimited replacement
/// strings; the normalizer applies the longest rule that matches at each position.
/// (Format read from google/sentencepiece src/normalizer.cc `DecodePrecompiledCharsMap` and
/// darts_clone's unit layout; the code here is our own.)
public struct PrecompiledCharsMap: Sendable {
    /// Darts-clone units: bit 31 marks a value unit, bits 0-7 the label, bit 8 "has leaf",
    /// bit 9 selects the offset scale, bits 10-31 the offset.
    let units: [UInt32]
    /// Replacement strings, each ended by a NUL byte.
    let replacements: [UInt8]

    public init(blob: [UInt8], path: String) throws {
        let location = SourceLocation(path: path)
        guard blob.count > 4 else {
            throw InputError("precompiled_charsmap is broken: \(blob.count) bytes, expected a 4-byte size and a trie",
                             at: location)
        }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize < blob.count, trieSize % 4 == 0, blob.count - 4 >= trieSize else {
            throw InputError("precompiled_charsmap is broken: trie size \(trieSize) does not fit in \(blob.count) bytes",
                             at: location)
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for i in 0..<units.count {
            let at = 4 + 4 * i
            units[i] = UInt32(blob[at]) | UInt32(blob[at + 1]) << 8 | UInt32(blob[at + 2]) << 16
                | UInt32(blob[at + 3]) << 24
        }
        guard !units.isEmpty else {
            throw InputError("precompiled_charsmap is broken: empty trie", at: location)
        }
        self.units = units
        replacements = Array(blob[(4 + trieSize)...])
    }

    /// The longest rule matching a prefix of `input`: its source length and the range of its
    /// replacement in `replacements`, or nil. Like sentencepiece, it looks at no more than the
    /// first 32 matches (rules are far shorter than that in practice).
    @inline(__always)
    static func longestMatch(
        units: UnsafeBufferPointer<UInt32>, replacements: UnsafeBufferPointer<UInt8>,
        _ input: UnsafePointer<UInt8>, count: Int
    ) -> (length: Int, replacement: Range<Int>)? {
        var node = Int(offset(units[0]))
        var matchLength = 0
        var matchValue = 0
        var matches = 0
        var i = 0
        while i < count {
            let byte = input[i]
            node ^= Int(byte)
            guard node < units.count else { break }
            let unit = units[node]
            if unit & 0x8000_00FF != UInt32(byte) { break }
            node ^= Int(offset(unit))
            i += 1
            if unit & 0x100 != 0 {
                guard node < units.count else { break }
                if matches < 32 {
                    matchLength = i
                    matchValue = Int(units[node] & 0x7FFF_FFFF)
                }
                matches += 1
            }
        }
        guard matchLength > 0, matchValue < replacements.count else { return nil }
        var end = matchValue
        while end < replacements.count, replacements[end] != 0 { end += 1 }
        return (matchLength, matchValue..<end)
    }

    /// The first (shortest) rule matching a prefix of `input`: its replacement range, or nil.
    /// HF tokenizers' `Precompiled::transform` takes this one, not the longest.
    static func shortestMatch(
        units: UnsafeBufferPointer<UInt32>, replacements: UnsafeBufferPointer<UInt8>,
        _ input: UnsafeBufferPointer<UInt8>
    ) -> Range<Int>? {
        var node = Int(offset(units[0]))
        for byte in input {
            // Keys are NUL-terminated in the double array: a NUL in the input ends the search.
            if byte == 0 { return nil }
            node ^= Int(byte)
            guard node < units.count else { return nil }
            let unit = units[node]
            if unit & 0x8000_00FF != UInt32(byte) { return nil }
            node ^= Int(offset(unit))
            if unit & 0x100 != 0 {
                guard node < units.count else { return nil }
                let value = Int(units[node] & 0x7FFF_FFFF)
                guard value < replacements.count else { return nil }
                var end = value
                while end < replacements.count, replacements[end] != 0 { end += 1 }
                return value..<end
            }
        }
        return nil
    }

    /// The serialized form: what `init(blob:)` reads (HF writes it base64 in tokenizer.json).
    public var blob: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + 4 * units.count + replacements.count)
        let trieSize = UInt32(4 * units.count)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: trieSize >> UInt32(shift))) }
        for unit in units {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: unit >> UInt32(shift))) }
        }
        bytes.append(contentsOf: replacements)
        return bytes
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> UInt32 {
        (unit >> 10) << ((unit & (1 << 9)) >> 6)
    }
}
