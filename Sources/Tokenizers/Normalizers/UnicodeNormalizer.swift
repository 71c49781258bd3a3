import DSPrepSupport

/// NFC, NFD, NFKC or NFKD through ICU, with HF's alignments.
public struct UnicodeNormalizer: Normalizer {
    public var form: NormalizationForm

    public init(_ form: NormalizationForm) { self.form = form }

    public func normalize(_ string: inout NormalizedString) {
        // Fast exit: ASCII is invariant under every form, and so is text ICU finds already
        // normalized (then every scalar maps to itself, so the alignments would not change).
        if string.scalars.allSatisfy({ $0 < 0x80 }) || AlignedNormalization.isNormalized(string.scalars, form: form) { return }
        string.normalize(form)
    }

    public var json: JSONValue { .object([("type", .string(form.rawValue))]) }
}
