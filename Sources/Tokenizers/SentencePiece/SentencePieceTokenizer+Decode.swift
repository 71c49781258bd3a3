/// Ids back to text, as sentencepiece's `SentencePieceProcessor::Decode` does: control pieces
/// vanish, an unknown piece prints `unk_surface` (" ⁇ "), runs of `<0xNN>` pieces are joined
/// into bytes (each malformed byte becomes U+FFFD), U+2581 becomes a space, and the space the
/// normalizer added in front is removed again.
extension SentencePieceTokenizer {
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        // sentencepiece drops the leading U+2581 of the first piece(s) while nothing has been
        // written; with remove_extra_whitespaces it keeps doing so for every such piece.
        var expectingLeadingSpace = true
        var leadingSpaceSeen = false
        let stripsLeadingSpace = normalizerSpec.addDummyPrefix || normalizerSpec.removeExtraWhitespaces

        func flushBytes() {
            var offset = 0
            pendingBytes.withUnsafeBufferPointer { bytes in
                while offset < bytes.count {
                    let length = SentencePieceNormalizer.validSequenceLength(
                        bytes.baseAddress! + offset, bytes.count - offset)
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
            if leadingSpaceSeen || !text.isEmpty { expectingLeadingSpace = false }
            leadingSpaceSeen = false
            switch piece.type {
            case .control:
                continue
            case .unknown:
                text.append(contentsOf: trainerSpec.unkSurface.utf8)
                continue
            default:
                break
            }
            var bytes = piece.bytes[...]
            if expectingLeadingSpace && stripsLeadingSpace && bytes.starts(with: [0xE2, 0x96, 0x81]) {
                bytes = bytes.dropFirst(3)
                leadingSpaceSeen = !normalizerSpec.removeExtraWhitespaces
            }
            var index = bytes.startIndex
            while index < bytes.endIndex {
                if bytes[index] == 0xE2, bytes.endIndex - index >= 3, bytes[index + 1] == 0x96, bytes[index + 2] == 0x81 {
                    text.append(0x20)
                    index += 3
                } else {
                    text.append(bytes[index])
                    index += 1
                }
            }
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
