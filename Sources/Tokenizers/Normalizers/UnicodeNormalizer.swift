import DSPrepSupport

/// NFC, NFD, NFKC or NFKD through ICU, with HF's alignments.
public struct UnicodeNormalizer: Normalizer {
    public var form: NormalizationForm

    public init(_ form: NormalizationForm) { self.form = form }

    public func normalize(_ string: inout NormalizedString) {
        // Fast exit: ASCII is invariant under every form.
        if string.scalars.allSatisfy({ $0 < 0x80 }) { return }
        string.normalize(form)
    }

    public var json: JSONValue { .object([("type", .string(form.rawValue))]) }
}
