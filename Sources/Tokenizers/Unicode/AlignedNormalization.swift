import CICU

/// The four Unicode normalization forms.
public enum NormalizationForm: String, Sendable {
    case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD"

    var isCompatibility: Bool { self == .nfkc || self == .nfkd }
    var composes: Bool { self == .nfc || self == .nfkc }
    /// The form's number in CICU.
    var code: Int32 {
        switch self {
        case .nfc: Int32(DSP_NFC)
        case .nfd: Int32(DSP_NFD)
        case .nfkc: Int32(DSP_NFKC)
        case .nfkd: Int32(DSP_NFKD)
        }
    }
}

/// Unicode normalization that also says, for every output scalar, whether it replaces an input
/// scalar (0), is inserted (1), or replaces one and absorbs more (-N): the change list
/// `NormalizedString.transform` turns into alignments.
///
/// Decomposition and composition data come from ICU; the order in which changes are assigned
/// follows the `unicode-normalization-alignments` crate HF tokenizers uses, so offsets match:
/// 1. each input scalar is fully decomposed; its first scalar gets 0, the others 1;
/// 2. runs of non-starters are stably sorted by combining class, changes travelling with them;
/// 3. (NFC/NFKC) a starter absorbs each following scalar it composes with, its change becoming
///    `change + absorbedChange - 1`; non-starters that do not compose are held back and emitted
///    after the starter.
enum AlignedNormalization {
    typealias Change = NormalizedString.Change

    /// Whether `input` is already in `form` (ICU's check; false when ICU fails).
    static func isNormalized(_ input: [UInt32], form: NormalizationForm) -> Bool {
        var units: [UInt16] = []
        units.reserveCapacity(input.count)
        for scalar in input {
            if scalar < 0x10000 {
                units.append(UInt16(scalar))
            } else {
                units.append(UInt16(0xD800 + ((scalar - 0x10000) >> 10)))
                units.append(UInt16(0xDC00 + ((scalar - 0x10000) & 0x3FF)))
            }
        }
        var error: Int32 = 0
        let result = units.withUnsafeBufferPointer { dsp_is_normalized(form.code, $0.baseAddress, Int32($0.count), &error) }
        return error == 0 && result == 1
    }

    static func normalize(_ input: [UInt32], form: NormalizationForm) -> [Change] {
        let decomposed = decompose(input, compatibility: form.isCompatibility)
        return form.composes ? compose(decomposed) : decomposed
    }

    static func decompose(_ input: [UInt32], compatibility: Bool) -> [Change] {
        var output: [Change] = []
        output.reserveCapacity(input.count)
        var classes: [UInt8] = []
        var pendingStart = 0  // first index of the unsorted run of non-starters
        var parts = [UInt32](repeating: 0, count: 32)
        for scalar in input {
            var partCount = 1
            if scalar < (compatibility ? 0xA0 : 0xC0) {  // U+00A0... have compatibility decompositions
                parts[0] = scalar
            } else {
                partCount = Int(dsp_decompose(compatibility ? 1 : 0, scalar, &parts, Int32(parts.count)))
                if partCount <= 0 { parts[0] = scalar; partCount = 1 }
            }
            for index in 0..<partCount {
                let part = parts[index]
                let combiningClass = CharacterClasses.combiningClass(part)
                if combiningClass == 0 {
                    sortRun(&output, &classes, from: pendingStart)
                    pendingStart = output.count + 1
                }
                output.append(Change(part, index == 0 ? 0 : 1))
                classes.append(combiningClass)
            }
        }
        sortRun(&output, &classes, from: pendingStart)
        return output
    }

    /// Stable sort by combining class of output[start...] (starters end a run, so all are > 0).
    private static func sortRun(_ output: inout [Change], _ classes: inout [UInt8], from start: Int) {
        guard output.count - start > 1, start >= 0 else { return }
        var pairs = Array(zip(classes[start...], output[start...]).enumerated())
        pairs.sort { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        for (index, pair) in pairs.enumerated() {
            classes[start + index] = pair.element.0
            output[start + index] = pair.element.1
        }
    }

    static func compose(_ input: [Change]) -> [Change] {
        var output: [Change] = []
        output.reserveCapacity(input.count)
        var composee: Change? = nil
        var held: [Change] = []
        var lastClass: UInt8? = nil
        for item in input {
            let itemClass = CharacterClasses.combiningClass(item.scalar)
            guard let starter = composee else {
                if itemClass != 0 { output.append(item) } else { composee = item }
                continue
            }
            if let previous = lastClass {
                if previous >= itemClass {
                    if itemClass == 0 {
                        // Blocked: flush the starter and what it could not absorb.
                        output.append(starter)
                        output.append(contentsOf: held)
                        held.removeAll()
                        composee = item
                        lastClass = nil
                        continue
                    }
                    held.append(item)
                    lastClass = itemClass
                    continue
                }
                if let composite = composePair(starter.scalar, item.scalar) {
                    composee = Change(composite, starter.change + item.change - 1)
                } else {
                    held.append(item)
                    lastClass = itemClass
                }
            } else if let composite = composePair(starter.scalar, item.scalar) {
                composee = Change(composite, starter.change + item.change - 1)
            } else if itemClass == 0 {
                output.append(starter)
                composee = item
            } else {
                held.append(item)
                lastClass = itemClass
            }
        }
        if let starter = composee { output.append(starter) }
        output.append(contentsOf: held)
        return output
    }

    private static func composePair(_ first: UInt32, _ second: UInt32) -> UInt32? {
        let result = dsp_compose_pair(first, second)
        return result < 0 ? nil : UInt32(result)
    }
}
