extension Tokenizer {
    /// What the stages make of a text, for people reading a tokenizer: the normalized text of
    /// each segment between added tokens, and the pre-tokenized words (with original offsets).
    public struct Stages: Sendable {
        public var normalized: [NormalizedString] = []
        public var words: [NormalizedString] = []
    }

    public func stages(of text: String) throws -> Stages {
        var stages = Stages()
        let scalars = text.unicodeScalars.map(\.value)
        for segment in scalars.withUnsafeBufferPointer({ addedVocabulary.split($0) }) {
            guard case let .text(range) = segment else { continue }
            var normalized = NormalizedString(scalars: scalars[range], originalOffset: range.lowerBound)
            try normalizer?.normalize(&normalized)
            stages.normalized.append(normalized)
            for (piece, token) in addedVocabulary.split(normalized: normalized) where token == nil && !piece.isEmpty {
                var pieces = [piece]
                try preTokenizer?.preTokenize(&pieces)
                stages.words += pieces
            }
        }
        return stages
    }
}
