extension Tokenizer {
    /// Reusable per-thread buffers for `encodeIDs`; read the result from `ids`, `starts`, `ends`.
    public struct Workspace {
        var scratch = Scratch()
        var output = TokenSink()

        /// Whether the last `encodeIDs` dropped tokens to truncation.
        public internal(set) var truncated = false

        public init() {}

        /// The last text's tokens; valid until the workspace encodes again.
        public var ids: UnsafeBufferPointer<Int32> { output.ids }
        public var starts: UnsafeBufferPointer<Int32> { output.starts }
        public var ends: UnsafeBufferPointer<Int32> { output.ends }
        public var count: Int { output.count }
    }

    /// One step of a single-sequence template, special tokens resolved to their ids.
    enum SingleTemplateStep: Sendable {
        case tokens([Int32])
        case sequence
    }

    /// The single-sequence template of `postProcessor`, when it is one `encodeIDs` can apply.
    static func singleTemplate(of postProcessor: PostProcessor?) -> [SingleTemplateStep]? {
        guard let template = postProcessor as? TemplateProcessing ?? (postProcessor as? BertProcessing)?.template else { return nil }
        return template.single.map { piece in
            switch piece {
            case let .special(id, _): return .tokens(template.specialTokens[id]?.ids ?? [])
            case let .sequence(isFirst, _): return isFirst ? .sequence : .tokens([])
            }
        }
    }

    /// Whether `encodeIDs` gives what `encode` gives (ids, tokens and offsets) for this tokenizer.
    public var supportsEncodeIDs: Bool {
        if postProcessor != nil && singleTemplate == nil { return false }
        if let padding, token(of: padding.padID) != padding.padToken { return false }
        return true
    }

    /// Encodes one UTF-8 text (valid UTF-8, e.g. a checked input line) straight into flat id and
    /// offset buffers, without building an `Encoding`: the streaming path of `dsprep encode`.
    /// Applies truncation (no overflow windows are kept), the single-sequence template and
    /// padding (to `batchLongest` for batch-longest padding). Check `supportsEncodeIDs` first.
    public func encodeIDs(utf8: UnsafeRawBufferPointer, addSpecialTokens: Bool, batchLongest: Int? = nil,
                          workspace: inout Workspace) throws {
        try tokenize(utf8: utf8.assumingMemoryBound(to: UInt8.self), scratch: &workspace.scratch)
        let template = addSpecialTokens ? singleTemplate : nil
        var kept = 0..<workspace.scratch.sink.count
        if let truncation {
            let added = template?.reduce(0) { count, step in if case let .tokens(ids) = step { count + ids.count } else { count } } ?? 0
            kept = try truncation.keptRange(single: kept.count, addedTokens: added)
        }
        workspace.truncated = kept.count < workspace.scratch.sink.count
        workspace.output.removeAll()
        let sink = workspace.scratch.sink
        func appendSequence(_ output: inout TokenSink) {
            output.append(contentsOf: sink, kept)
        }
        if let template {
            for step in template {
                switch step {
                case let .tokens(ids): for id in ids { workspace.output.append(id, start: 0, end: 0) }
                case .sequence: appendSequence(&workspace.output)
                }
            }
        } else {
            appendSequence(&workspace.output)
        }
        if let padding {
            let target = padding.targetLength(longest: batchLongest ?? workspace.output.count)
            let missing = target - workspace.output.count
            if missing > 0 {
                if padding.direction == .right {
                    for _ in 0..<missing { workspace.output.append(padding.padID, start: 0, end: 0) }
                } else {
                    let padded = TokenSink()
                    for _ in 0..<missing { padded.append(padding.padID, start: 0, end: 0) }
                    padded.append(contentsOf: workspace.output, 0..<workspace.output.count)
                    workspace.output = padded
                }
            }
        }
    }

    /// Decodes valid UTF-8 into scalar values (invalid sequences become U+FFFD, as Swift does).
    static func decodeUTF8(_ bytes: UnsafeRawBufferPointer, into scalars: inout [UInt32]) {
        scalars.removeAll(keepingCapacity: true)
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = UInt32(bytes[index])
            if lead < 0x80 {
                scalars.append(lead)
                index += 1
            } else if lead >= 0xC2 && lead < 0xE0 && index + 1 < count {
                scalars.append((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F))
                index += 2
            } else if lead >= 0xE0 && lead < 0xF0 && index + 2 < count {
                scalars.append((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F))
                index += 3
            } else if lead >= 0xF0 && lead < 0xF5 && index + 3 < count {
                scalars.append((lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                               | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F))
                index += 4
            } else {
                // Not reached for validated input; decode the rest the careful way.
                let rest = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index...]), as: UTF8.self)
                for scalar in rest.unicodeScalars { scalars.append(scalar.value) }
                return
            }
        }
    }
}
