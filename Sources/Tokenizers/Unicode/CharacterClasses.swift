import CICU

/// Character classes exactly as HF tokenizers sees them (tables probed from the reference, see
/// `HFCharacterTables`), with O(1) lookups for the Basic Multilingual Plane and a binary search
/// above it.
enum CharacterClasses {
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let control = Flags(rawValue: 1)
        static let whitespace = Flags(rawValue: 2)
        static let punctuation = Flags(rawValue: 4)
        static let nonspacingMark = Flags(rawValue: 8)
        static let combiningMark = Flags(rawValue: 16)
        static let chinese = Flags(rawValue: 32)
        static let lowercaseChanges = Flags(rawValue: 64)
        /// General category N* (Rust `char::is_numeric`).
        static let numeric = Flags(rawValue: 128)
    }

    /// One flag byte per BMP code point.
    private static let bmp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x10000)
        for (flag, ranges) in rangeTables {
            for range in ranges where range.lowerBound < 0x10000 {
                for cp in range.lowerBound...min(range.upperBound, 0xFFFF) { table[Int(cp)] |= flag.rawValue }
            }
        }
        for cp in lowercaseMap.keys where cp < 0x10000 { table[Int(cp)] |= Flags.lowercaseChanges.rawValue }
        for cp in 0..<UInt32(0x10000) where hasNumericCategory(cp) { table[Int(cp)] |= Flags.numeric.rawValue }
        return table
    }()

    /// Ranges above the BMP, per flag, sorted for binary search.
    private static let supplementary: [(Flags, [ClosedRange<UInt32>])] = rangeTables.map { flag, ranges in
        (flag, ranges.filter { $0.upperBound >= 0x10000 })
    }

    private static let rangeTables: [(Flags, [ClosedRange<UInt32>])] = [
        (.control, parseRanges(HFCharacterTables.control)),
        (.whitespace, parseRanges(HFCharacterTables.whitespace)),
        (.punctuation, parseRanges(HFCharacterTables.punctuation)),
        (.nonspacingMark, parseRanges(HFCharacterTables.nonspacingMark)),
        (.combiningMark, parseRanges(HFCharacterTables.combiningMark)),
        (.chinese, chineseRanges),
    ]

    /// BertNormalizer's "Chinese character" blocks (CJK Unified Ideographs and extensions,
    /// compatibility ideographs), as HF's `is_chinese_char` lists them.
    private static let chineseRanges: [ClosedRange<UInt32>] = [
        0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
        0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0x2F800...0x2FA1F,
    ]

    /// Rust `char::to_lowercase` for the characters it changes.
    static let lowercaseMap: [UInt32: [UInt32]] = {
        var map: [UInt32: [UInt32]] = [:]
        for entry in HFCharacterTables.lowercase.split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let key = UInt32(parts[0], radix: 16) else { continue }
            map[key] = parts[1].split(separator: " ").compactMap { UInt32($0, radix: 16) }
        }
        return map
    }()

    private static func parseRanges(_ text: String) -> [ClosedRange<UInt32>] {
        text.split(separator: ",").compactMap { item in
            let bounds = item.split(separator: "-").compactMap { UInt32($0, radix: 16) }
            guard let low = bounds.first, let high = bounds.last else { return nil }
            return low...high
        }
    }

    @inline(__always)
    static func flags(_ scalar: UInt32) -> Flags {
        if scalar < 0x10000 { return Flags(rawValue: bmp[Int(scalar)]) }
        return supplementaryFlags(scalar)
    }

    @inline(never)
    private static func supplementaryFlags(_ scalar: UInt32) -> Flags {
        var result: Flags = []
        for (flag, ranges) in supplementary where contains(ranges, scalar) { result.insert(flag) }
        if lowercaseMap[scalar] != nil { result.insert(.lowercaseChanges) }
        if hasNumericCategory(scalar) { result.insert(.numeric) }
        return result
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ scalar: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < scalar { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(scalar)
    }

    /// Appends Rust's `to_lowercase(scalar)` to `output`.
    @inline(__always)
    static func appendLowercase(_ scalar: UInt32, to output: inout [UInt32]) {
        if scalar < 0x80 {
            output.append(scalar >= 0x41 && scalar <= 0x5A ? scalar + 0x20 : scalar)
        } else if flags(scalar).contains(.lowercaseChanges), let mapped = lowercaseMap[scalar] {
            output.append(contentsOf: mapped)
        } else {
            output.append(scalar)
        }
    }

    /// Unicode general category N* (Rust `char::is_numeric`), for the Digits pre-tokenizer.
    @inline(__always)
    static func isNumeric(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 { return scalar >= 0x30 && scalar <= 0x39 }
        return flags(scalar).contains(.numeric)
    }

    /// The general-category lookup behind `.numeric` (slow: read once into the flag tables).
    private static func hasNumericCategory(_ scalar: UInt32) -> Bool {
        guard let value = Unicode.Scalar(scalar) else { return false }
        switch value.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Regex `\w` (Unicode): alphabetic, marks, decimal digits, connector punctuation, join controls.
    static func isWordCharacter(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 {
            return (scalar >= 0x30 && scalar <= 0x39) || (scalar >= 0x41 && scalar <= 0x5A)
                || (scalar >= 0x61 && scalar <= 0x7A) || scalar == 0x5F
        }
        guard let value = Unicode.Scalar(scalar) else { return false }
        let properties = value.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Canonical combining class (ICU).
    @inline(__always)
    static func combiningClass(_ scalar: UInt32) -> UInt8 {
        scalar < 0x300 ? 0 : dsp_combining_class(scalar)
    }
}
