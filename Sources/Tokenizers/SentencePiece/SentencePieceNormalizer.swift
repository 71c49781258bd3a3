/// sentencepiece's normalizer (google/sentencepiece src/normalizer.cc `Normalizer::Normalize`),
/// on UTF-8 bytes: at each position the longest user-defined symbol is kept as is, else the
/// longest charsmap rule is applied, else the character is copied (a malformed byte becomes
/// U+FFFD). Around that: leading, trailing and repeated spaces are dropped
/// (`remove_extra_whitespaces`), a space is prepended (`add_dummy_prefix`, or appended with
/// `treat_whitespace_as_suffix`) and spaces become U+2581 (`escape_whitespaces`).
///
/// `normToOrig` gets one original byte offset per normalized byte plus one for the end, as
/// sentencepiece's `norm_to_orig` does (and, like it, stays empty for an all-space input).
struct SentencePieceNormalizer: Sendable {
    let charsMap: PrecompiledCharsMap?
    /// Without a compiled map, the rules of the spec's named rule set, built from ICU.
    /// (sentencepiece 0.2.3 itself applies no rules then: it compiles the map only when it
    /// trains; a model that names a rule is normalized here as that rule's map would.)
    let namedRules: NamedNormalizationRules?
    /// User-defined symbols: matched before the charsmap and never normalized.
    let userDefinedSymbols: DoubleArrayTrie?
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool

    /// U+2581 LOWER ONE EIGHTH BLOCK, what a space becomes.
    static let spaceSymbol: (UInt8, UInt8, UInt8) = (0xE2, 0x96, 0x81)
    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
    /// Byte length of a UTF-8 sequence from its lead byte (sentencepiece's OneCharLen table:
    /// a stray continuation byte counts as 1).
    @inline(__always)
    static func sequenceLength(_ lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : (lead < 0xE0 ? 2 : (lead < 0xF0 ? 3 : 4))
    }

    init(spec: SentencePieceModelProto.NormalizerSpec, treatWhitespaceAsSuffix: Bool,
         userDefinedSymbols: DoubleArrayTrie?, path: String) throws {
        charsMap = spec.precompiledCharsmap.isEmpty ? nil : try PrecompiledCharsMap(blob: spec.precompiledCharsmap, path: path)
        namedRules = charsMap == nil ? NamedNormalizationRules.rules(named: spec.name) : nil
        self.userDefinedSymbols = userDefinedSymbols
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
    }

    func normalize(_ input: UnsafeBufferPointer<UInt8>, into normalized: ScratchBuffer<UInt8>,
                   normToOrig: ScratchBuffer<Int32>) {
        normalized.count = 0
        normToOrig.count = 0
        guard let text = input.baseAddress, input.count > 0 else { return }
        let units = charsMap?.units ?? [0]
        let replacements = charsMap?.replacements ?? namedRules?.replacements ?? []
        units.withUnsafeBufferPointer { units in
            replacements.withUnsafeBufferPointer { replacements in
                Self.replacementCharacter.withUnsafeBufferPointer { fffd in
                    run(text, input.count, units: units, replacements: replacements, fffd: fffd,
                        normalized: normalized, normToOrig: normToOrig)
                }
            }
        }
    }

    @inline(__always)
    private func run(
        _ text: UnsafePointer<UInt8>, _ size: Int, units: UnsafeBufferPointer<UInt32>,
        replacements: UnsafeBufferPointer<UInt8>, fffd: UnsafeBufferPointer<UInt8>,
        normalized: ScratchBuffer<UInt8>, normToOrig: ScratchBuffer<Int32>
    ) {
        let hasCharsMap = charsMap != nil
        // The normalized form of the prefix at `position`: (replacement bytes, source length).
        @inline(__always)
        func normalizePrefix(_ position: Int) -> (UnsafePointer<UInt8>, Int, Int) {
            let start = text + position
            let remaining = size - position
            if let userDefinedSymbols {
                let length = userDefinedSymbols.longestPrefix(start, count: remaining)
                if length > 0 { return (start, length, length) }
            }
            if hasCharsMap, let match = PrecompiledCharsMap.longestMatch(
                units: units, replacements: replacements, start, count: remaining) {
                let replacement = replacements.baseAddress! + match.replacement.lowerBound
                return (replacement, match.replacement.count, match.length)
            }
            if let namedRules, let match = namedRules.longestMatch(start, count: remaining) {
                // An empty replacement (a removed control character) still needs a pointer.
                let replacement = replacements.baseAddress.map { $0 + match.replacement.lowerBound } ?? fffd.baseAddress!
                return (replacement, match.replacement.count, match.length)
            }
            let length = Self.validSequenceLength(start, remaining)
            if length == 0 { return (fffd.baseAddress!, 3, 1) }
            return (start, length, length)
        }

        var position = 0
        var consumed = 0
        if removeExtraWhitespaces {
            while position < size {
                let (replacement, count, length) = normalizePrefix(position)
                guard count == 1, replacement[0] == 0x20 else { break }
                position += length
                consumed += length
            }
        }
        if position == size { return }

        normalized.reserve(3 * (size - position) + 8)
        normToOrig.reserve(3 * (size - position) + 9)
        func appendSpace() {
            normalized.reserve(normalized.count + 3)
            normToOrig.reserve(normToOrig.count + 4)
            if escapeWhitespaces {
                let out = normalized.base + normalized.count
                (out[0], out[1], out[2]) = (Self.spaceSymbol.0, Self.spaceSymbol.1, Self.spaceSymbol.2)
                let map = normToOrig.base + normToOrig.count
                (map[0], map[1], map[2]) = (Int32(consumed), Int32(consumed), Int32(consumed))
                normalized.count += 3
                normToOrig.count += 3
            } else {
                normalized.base[normalized.count] = 0x20
                normToOrig.base[normToOrig.count] = Int32(consumed)
                normalized.count += 1
                normToOrig.count += 1
            }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { appendSpace() }

        var isPreviousSpace = removeExtraWhitespaces
        while position < size {
            var (replacement, count, length) = normalizePrefix(position)
            if isPreviousSpace {
                while count > 0, replacement[0] == 0x20 {
                    replacement += 1
                    count -= 1
                }
            }
            if count > 0 {
                // Worst case every byte is a space that becomes three bytes; one extra slot
                // for the final end offset.
                normalized.reserve(normalized.count + 3 * count)
                normToOrig.reserve(normToOrig.count + 3 * count + 1)
                var out = normalized.base + normalized.count
                var map = normToOrig.base + normToOrig.count
                let origin = Int32(consumed)
                for i in 0..<count {
                    let byte = replacement[i]
                    if escapeWhitespaces && byte == 0x20 {
                        (out[0], out[1], out[2]) = (Self.spaceSymbol.0, Self.spaceSymbol.1, Self.spaceSymbol.2)
                        (map[0], map[1], map[2]) = (origin, origin, origin)
                        out += 3
                        map += 3
                    } else {
                        out[0] = byte
                        map[0] = origin
                        out += 1
                        map += 1
                    }
                }
                normalized.count = out - normalized.base
                normToOrig.count = map - normToOrig.base
                isPreviousSpace = replacement[count - 1] == 0x20
            }
            consumed += length
            position += length
            if !removeExtraWhitespaces { isPreviousSpace = false }
        }

        if removeExtraWhitespaces {
            // Drops trailing spaces: (escaped) spaces and also literal U+2581 in the input, as
            // sentencepiece compares the output's tail only.
            let spaceLength = escapeWhitespaces ? 3 : 1
            while normalized.count >= spaceLength {
                let tail = normalized.base + normalized.count - spaceLength
                let isSpace = escapeWhitespaces
                    ? (tail[0] == Self.spaceSymbol.0 && tail[1] == Self.spaceSymbol.1 && tail[2] == Self.spaceSymbol.2)
                    : tail[0] == 0x20
                guard isSpace else { break }
                normalized.count -= spaceLength
                consumed = Int(normToOrig.base[normalized.count])
                normToOrig.count = normalized.count
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { appendSpace() }
        normToOrig.append(Int32(consumed))
    }

    /// Length of the well-formed UTF-8 sequence at `start` (sentencepiece's DecodeUTF8 rules:
    /// no overlong forms, no surrogates, nothing above U+10FFFF), or 0 if malformed.
    @inline(__always)
    static func validSequenceLength(_ start: UnsafePointer<UInt8>, _ remaining: Int) -> Int {
        let lead = start[0]
        if lead < 0x80 { return 1 }
        @inline(__always) func isTrail(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        if lead & 0xE0 == 0xC0 {
            guard remaining >= 2, isTrail(start[1]) else { return 0 }
            let scalar = UInt32(lead & 0x1F) << 6 | UInt32(start[1] & 0x3F)
            return scalar >= 0x80 ? 2 : 0
        }
        if lead & 0xF0 == 0xE0 {
            guard remaining >= 3, isTrail(start[1]), isTrail(start[2]) else { return 0 }
            let scalar = UInt32(lead & 0x0F) << 12 | UInt32(start[1] & 0x3F) << 6 | UInt32(start[2] & 0x3F)
            return scalar >= 0x800 && !(0xD800...0xDFFF).contains(scalar) ? 3 : 0
        }
        if lead & 0xF8 == 0xF0 {
            guard remaining >= 4, isTrail(start[1]), isTrail(start[2]), isTrail(start[3]) else { return 0 }
            let scalar = UInt32(lead & 0x07) << 18 | UInt32(start[1] & 0x3F) << 12 | UInt32(start[2] & 0x3F) << 6
                | UInt32(start[3] & 0x3F)
            return (0x10000...0x10FFFF).contains(scalar) ? 4 : 0
        }
        return 0
    }
}
