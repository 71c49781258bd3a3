import DSPrepSupport
import Foundation

/// HF tokenizers' `Precompiled` normalizer: sentencepiece's compiled rules (a
/// `PrecompiledCharsMap`) applied the way HF applies them, which is not sentencepiece's
/// leftmost-longest scan: the text is cut into extended grapheme clusters; a cluster shorter
/// than 6 UTF-8 bytes is replaced whole by the replacement of the *shortest* rule matching a
/// prefix of it; otherwise (or when nothing matches) each character is looked up alone.
/// (tokenizers/src/normalizers/precompiled.rs and spm_precompiled 0.1.4 `transform`.)
public struct PrecompiledNormalizer: Normalizer {
    public let charsMap: PrecompiledCharsMap

    public init(charsMap: PrecompiledCharsMap) { self.charsMap = charsMap }

    public func normalize(_ string: inout NormalizedString) {
        guard !string.isEmpty else { return }
        var view = String.UnicodeScalarView()
        for value in string.scalars { if let scalar = Unicode.Scalar(value) { view.append(scalar) } }
        let text = String(view)
        var changes: [NormalizedString.Change] = []
        changes.reserveCapacity(string.count)
        var modified = false
        var bytes: [UInt8] = []
        charsMap.units.withUnsafeBufferPointer { units in
            charsMap.replacements.withUnsafeBufferPointer { replacements in
                func replacement(of chunk: [UInt8]) -> Range<Int>? {
                    chunk.withUnsafeBufferPointer { PrecompiledCharsMap.shortestMatch(units: units, replacements: replacements, $0) }
                }
                // HF's `replace`: the new scalars replace the old ones one for one; extra new
                // ones count as inserted, missing ones are removed after the last new one.
                func replace(oldCount: Int, with range: Range<Int>) {
                    let new = Array(String(decoding: UnsafeBufferPointer(rebasing: replacements[range]), as: UTF8.self).unicodeScalars)
                    for scalar in new { changes.append(.init(scalar.value, 0)) }
                    let difference = new.count - oldCount
                    if difference > 0 {
                        for index in (changes.count - difference)..<changes.count { changes[index].change = 1 }
                    } else if difference < 0, !changes.isEmpty {
                        changes[changes.count - 1].change += difference
                    }
                    modified = true
                }
                for grapheme in text {
                    bytes.removeAll(keepingCapacity: true)
                    bytes.append(contentsOf: grapheme.utf8)
                    if bytes.count < 6, let range = replacement(of: bytes) {
                        replace(oldCount: grapheme.unicodeScalars.count, with: range)
                        continue
                    }
                    for scalar in grapheme.unicodeScalars {
                        if let range = replacement(of: Array(String(scalar).utf8)) {
                            replace(oldCount: 1, with: range)
                        } else {
                            changes.append(.init(scalar.value, 0))
                        }
                    }
                }
            }
        }
        if modified { string.transform(changes) }
    }

    public var json: JSONValue {
        .object([("type", .string("Precompiled")),
                 ("precompiled_charsmap", .string(Data(charsMap.blob).base64EncodedString()))])
    }
}
