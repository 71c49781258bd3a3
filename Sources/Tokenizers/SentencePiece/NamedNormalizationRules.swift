import CICU
import DSPrepSupport
import Foundation

/// The rules of sentencepiece's named normalizations (`nfkc`, `nmt_nfkc`, `nfkc_cf`,
/// `nmt_nfkc_cf`; `identity` has none), built from ICU the way sentencepiece's own builder
/// builds them (src/builder.cc `BuildMapInternal`, `MergeNmtMap`, `MergeUnicodeCaseFoldMap`,
/// `RemoveRedundantMap`), for models that name a rule but carry no `precompiled_charsmap`.
/// A model's own map stays the reference: these are used only when it has none.
///
/// The map has a rule for every code point that NFKC changes, and for every sequence that
/// decomposes (NFKD) like a multi-character NFKD form whose NFKC differs, unless shorter rules
/// already give the same result. Text is rewritten by the longest rule at each position, as
/// with a compiled charsmap.
struct NamedNormalizationRules: Sendable {
    /// UTF-8 key → offset of its replacement in `replacements` (NUL-terminated UTF-8). A hash
    /// map, not a trie: building a double array over ~225k keys costs minutes, and this path
    /// only serves models without a compiled map.
    let rules: [[UInt8]: Int32]
    /// For each scalar that starts a key, the longest such key in bytes.
    let longestKey: [UInt32: Int]
    let replacements: [UInt8]

    /// The rule names dsprep can build (`identity` needs no rules).
    static let names = ["nfkc", "nmt_nfkc", "nfkc_cf", "nmt_nfkc_cf"]

    private static let cache = Cache()

    /// The rules for `name` (built once per process; building walks all of Unicode).
    static func rules(named name: String) -> NamedNormalizationRules? {
        guard names.contains(name) else { return nil }
        return cache.rules(named: name)
    }

    /// Unchecked Sendable: `built` is read and written only under `lock`.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var built: [String: NamedNormalizationRules] = [:]

        func rules(named name: String) -> NamedNormalizationRules {
            lock.lock()
            defer { lock.unlock() }
            if let rules = built[name] { return rules }
            let rules = NamedNormalizationRules(map: map(named: name))
            built[name] = rules
            return rules
        }

        /// The NFKC rules all four names start from.
        private var nfkc: [[UInt32]: [UInt32]]?

        private func map(named name: String) -> [[UInt32]: [UInt32]] {
            let base = nfkc ?? NamedNormalizationRules.nfkcMap()
            nfkc = base
            var map = base
            if name.hasPrefix("nmt_") {
                NamedNormalizationRules.mergeNmtRules(&map)
                NamedNormalizationRules.removeRedundantRules(&map)
            }
            if name.hasSuffix("_cf") { NamedNormalizationRules.mergeCaseFolding(&map) }
            return map
        }
    }

    init(map: [[UInt32]: [UInt32]]) {
        // Same replacement strings share one copy, as sentencepiece's compiler does.
        var offsets: [[UInt32]: Int32] = [:]
        var replacements: [UInt8] = []
        var rules: [[UInt8]: Int32] = [:]
        var longestKey: [UInt32: Int] = [:]
        rules.reserveCapacity(map.count)
        for (key, value) in map {
            let offset: Int32
            if let known = offsets[value] {
                offset = known
            } else {
                offset = Int32(replacements.count)
                offsets[value] = offset
                replacements.append(contentsOf: Self.utf8(value))
                replacements.append(0)
            }
            let bytes = Self.utf8(key)
            rules[bytes] = offset
            longestKey[key[0]] = max(longestKey[key[0]] ?? 0, bytes.count)
        }
        self.rules = rules
        self.longestKey = longestKey
        self.replacements = replacements
    }

    /// The longest rule matching a prefix of `input` (valid UTF-8 at its start): its source
    /// length and replacement range.
    func longestMatch(_ input: UnsafePointer<UInt8>, count: Int) -> (length: Int, replacement: Range<Int>)? {
        let first = SentencePieceNormalizer.validSequenceLength(input, count)
        guard first > 0 else { return nil }
        var scalar = UInt32(input[0])
        if first > 1 {
            scalar &= UInt32(0xFF >> (first + 1))
            for index in 1..<first { scalar = scalar << 6 | UInt32(input[index] & 0x3F) }
        }
        guard let longest = longestKey[scalar] else { return nil }
        var length = min(longest, count)
        while length >= first {
            // Keys end on character boundaries.
            if length == count || input[length] & 0xC0 != 0x80,
               let offset = rules[Array(UnsafeBufferPointer(start: input, count: length))] {
                var end = Int(offset)
                while end < replacements.count, replacements[end] != 0 { end += 1 }
                return (length, Int(offset)..<end)
            }
            length -= 1
        }
        return nil
    }

    private static func utf8(_ scalars: [UInt32]) -> [UInt8] {
        var text = String.UnicodeScalarView()
        for value in scalars { if let scalar = Unicode.Scalar(value) { text.append(scalar) } }
        return Array(String(text).utf8)
    }

    // MARK: - Building (sentencepiece's builder, on ICU)

    /// ICU normalization of a code point sequence.
    private static func normalize(_ scalars: [UInt32], form: Int32) -> [UInt32] {
        var units: [UInt16] = []
        for value in scalars { if let scalar = Unicode.Scalar(value) { units.append(contentsOf: UTF16.encode(scalar)!) } }
        var output = [UInt16](repeating: 0, count: max(16, units.count * 4))
        var error: Int32 = 0
        var count = dsp_normalize(form, units, Int32(units.count), &output, Int32(output.count), &error)
        if count > output.count {
            output = [UInt16](repeating: 0, count: Int(count))
            count = dsp_normalize(form, units, Int32(units.count), &output, Int32(output.count), &error)
        }
        guard error == 0, count >= 0 else { return scalars }
        return String(decoding: output[0..<Int(count)], as: UTF16.self).unicodeScalars.map(\.value)
    }

    /// ICU's `U_IS_UNICODE_CHAR`: a scalar value that is not a noncharacter.
    private static func isUnicodeCharacter(_ cp: UInt32) -> Bool {
        guard cp < 0xD800 || (0xDFFF < cp && cp <= 0x10FFFF) else { return false }
        return !(cp >= 0xFDD0 && (cp <= 0xFDEF || cp & 0xFFFE == 0xFFFE))
    }

    /// `BuildNFKCMap`: single code points to their NFKC form, and every sequence that NFKD
    /// treats like a multi-character decomposition to that decomposition's NFKC form.
    static func nfkcMap() -> [[UInt32]: [UInt32]] {
        let nfkc = Int32(DSP_NFKC), nfkd = Int32(DSP_NFKD)
        var map: [[UInt32]: [UInt32]] = [:]
        var decomposed = Set<[UInt32]>()
        // Code points whose NFKD is one other code point, by that code point.
        var originals: [UInt32: [UInt32]] = [:]
        var parts = [UInt32](repeating: 0, count: 32)
        for cp in UInt32(1)...0x10FFFF where isUnicodeCharacter(cp) {
            // Most code points do not decompose: then NFKD and NFKC leave them as they are.
            if dsp_decompose(1, cp, &parts, Int32(parts.count)) == 1 && parts[0] == cp { continue }
            let composed = normalize([cp], form: nfkc)
            if composed.count >= 2 || (composed.count == 1 && composed[0] != cp) { map[[cp]] = composed }
            let decomposition = normalize([cp], form: nfkd)
            if decomposition.count == 1 {
                if decomposition[0] != cp { originals[decomposition[0], default: []].append(cp) }
            } else {
                decomposed.insert(decomposition)
            }
        }
        for decomposition in decomposed {
            let composed = normalize(decomposition, form: nfkc)
            if composed == decomposition { continue }
            // Every sequence whose characters decompose one for one into `decomposition`.
            var sequences: [[UInt32]] = [[]]
            for scalar in decomposition {
                let choices = [scalar] + (originals[scalar] ?? [])
                sequences = sequences.flatMap { prefix in choices.map { prefix + [$0] } }
            }
            for sequence in sequences where sequence != composed { map[sequence] = composed }
        }
        removeRedundantRules(&map)
        return map
    }

    /// `MergeNmtMap`: more spaces, control characters removed, full-width tilde kept.
    static func mergeNmtRules(_ map: inout [[UInt32]: [UInt32]]) {
        for cp: UInt32 in [0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF,
                           0xFFFD, 0x200C] {
            map[[cp]] = [0x20]
        }
        for cp: UInt32 in Array(0x01...0x08) + [0x0B] + Array(0x0E...0x1F) + [0x7F, 0x8F, 0x9F] { map[[cp]] = [] }
        map[[0xFF5E]] = nil
    }

    /// `MergeUnicodeCaseFoldMap`: case-fold every replacement, and add a rule for every code
    /// point that folds to another. Simple (one-to-one) default folding, as ICU's `u_foldCase`.
    static func mergeCaseFolding(_ map: inout [[UInt32]: [UInt32]]) {
        for (key, value) in map { map[key] = value.map(simpleCaseFold) }
        for cp in UInt32(1)...0x10FFFF where isUnicodeCharacter(cp) {
            guard let scalar = Unicode.Scalar(cp), scalar.properties.changesWhenCaseFolded, map[[cp]] == nil else { continue }
            let folded = simpleCaseFold(cp)
            if folded != cp { map[[cp]] = [folded] }
        }
        removeRedundantRules(&map)
    }

    /// Simple case folding (ICU's `u_foldCase` with the default option). Cherokee folds to
    /// its capital letters (CaseFolding.txt: 13F8 → 13F0, AB70 → 13A0, ...); otherwise the full
    /// folding when it is one code point, else the simple lowercase mapping when that is one
    /// other code point (the `S` entries: ẞ → ß, ᾈ → ᾀ, ...), else the code point itself.
    private static func simpleCaseFold(_ cp: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(cp), scalar.properties.changesWhenCaseFolded else { return cp }
        if (0x13F8...0x13FD).contains(cp) || (0xAB70...0xABBF).contains(cp) {
            let upper = scalar.properties.uppercaseMapping.unicodeScalars
            if upper.count == 1, let first = upper.first { return first.value }
        }
        let full = String(scalar).folding(options: [.caseInsensitive], locale: nil).unicodeScalars
        if full.count == 1, let first = full.first, first != scalar { return first.value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        if lower.count == 1, let first = lower.first, first != scalar { return first.value }
        return cp
    }

    /// `RemoveRedundantMap`: keep the single-character rules, and a longer rule only when the
    /// shorter rules do not already rewrite its key into its value.
    static func removeRedundantRules(_ map: inout [[UInt32]: [UInt32]]) {
        var kept = map.filter { $0.key.count == 1 }
        let longest = map.keys.map(\.count).max() ?? 1
        if longest >= 2 {
            for length in 2...longest {
                for (key, value) in map where key.count == length && rewrite(key, with: kept, longest: length - 1) != value {
                    kept[key] = value
                }
            }
        }
        map = kept
    }

    /// Longest-match rewriting of `text` with rules of at most `longest` characters.
    private static func rewrite(_ text: [UInt32], with map: [[UInt32]: [UInt32]], longest: Int) -> [UInt32] {
        var output: [UInt32] = []
        var index = 0
        while index < text.count {
            var length = min(longest, text.count - index)
            var replacement: [UInt32]?
            while length > 0 {
                if let found = map[Array(text[index..<(index + length)])] { replacement = found; break }
                length -= 1
            }
            if let replacement {
                output.append(contentsOf: replacement)
                index += length
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }
}
