import DSPrepSupport

extension Tokenizer {
    /// Texts per parallel task in `encodeBatch`.
    static let batchChunkSize = 512

    /// Encodes many texts on all cores; results are in input order. Padding (batch-longest or
    /// fixed) is applied over the whole batch, as HF's `encode_batch` does.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) throws -> [Encoding] {
        let chunks = (texts.count + Self.batchChunkSize - 1) / Self.batchChunkSize
        var results = try Parallel.map(chunks) { chunk -> [Encoding] in
            let range = chunk * Self.batchChunkSize..<min(texts.count, (chunk + 1) * Self.batchChunkSize)
            var scratch = Scratch()
            var local: [Encoding] = []
            local.reserveCapacity(range.count)
            for index in range {
                var first = try encodeSequence(texts[index], typeID: 0, scratch: &scratch)
                var second: Encoding? = nil
                local.append(try postProcess(&first, &second, addSpecialTokens: addSpecialTokens, pad: false))
            }
            return local
        }.flatMap { $0 }
        if let padding { padding.apply(&results) }
        return results
    }
}
