/// Ids back to text, as sentencepiece 0.2.3's `DecodeOptimized` does: control pieces vanish, an
/// unknown piece prints `unk_surface` (" ⁇ "), runs of `<0xNN>` pieces are joined into bytes
/// (each malformed byte becomes U+FFFD), U+2581 becomes a space, and the U+2581 that starts the
/// text is dropped (every one of them while nothing is written yet, with
/// remove_extra_whitespaces). Ids outside the vocabulary are skipped.
extension SentencePieceTokenizer {
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        var atStart = true
        let stripsLeadingSpace = normalizerSpec.addDummyPrefix || normalizerSpec.removeExtraWhitespaces

        func flushBytes() {
            var offset = 0
            pendingBytes.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                while offset < bytes.count {
                    let length = SentencePieceNormalizer.validSequenceLength(base + offset, bytes.count - offset)
                    if length == 0 {
                        text.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        offset += 1
                    } else {
                        text.append(contentsOf: bytes[offset..<(offset + length)])
                        offset += length
                    }
                }
            }
            pendingBytes.removeAll(keepingCapacity: true)
        }

        for id in ids {
            guard id >= 0, Int(id) < model.pieces.count else { continue }
            let piece = model.pieces[Int(id)]
            if piece.type == .byte, let byte = Self.byteValue(ofPiece: piece.bytes) {
                pendingBytes.append(byte)
                continue
            }
            flushBytes()
            if !text.isEmpty { atStart = false }
            if piece.type == .control { continue }
            var bytes = piece.bytes[...]
            var strippedLeadingSpace = false
            if atStart && stripsLeadingSpace && bytes.starts(with: [0xE2, 0x96, 0x81]) {
                bytes = bytes.dropFirst(3)
                strippedLeadingSpace = !normalizerSpec.removeExtraWhitespaces
            }
            if piece.type == .unknown {
                text.append(contentsOf: trainerSpec.unkSurface.utf8)
            } else {
                var index = bytes.startIndex
                while index < bytes.endIndex {
                    if bytes[index] == 0xE2, bytes.endIndex - index >= 3, bytes[index + 1] == 0x96,
                       bytes[index + 2] == 0x81 {
                        text.append(0x20)
                        index += 3
                    } else {
                        text.append(bytes[index])
                        index += 1
                    }
                }
            }
            if strippedLeadingSpace || !text.isEmpty { atStart = false }
        }
        flushBytes()
        guard let denormalizer else { return String(decoding: text, as: UTF8.self) }
        return text.withUnsafeBufferPointer { bytes in
            let workspace = SentencePieceWorkspace()
            denormalizer.normalize(bytes, into: workspace.normalized, normToOrig: workspace.normToOrig)
            return String(decoding: workspace.normalized.buffer, as: UTF8.self)
        }
    }
}
