import CICU

/// BertNormalizer + BertPreTokenizer + WordPiece fused into one pass over the original scalars,
/// with no intermediate strings: the hot path for BERT tokenizers.
///
/// Why it is exact: every BertNormalizer step except NFD maps each scalar independently, and its
/// outputs all take that scalar's alignment (HF gives inserted and replacing scalars the
/// alignment of the scalar they come from). NFD can reorder combining marks across scalars, but
/// strip_accents then removes every Mn mark, so only starters survive and their alignment is
/// unchanged. The one exception, a surviving non-Mn combining mark (e.g. U+302E), sends the
/// segment to the generic path. So a table maps each scalar to its normalized output once.
struct BertFastPath: Sendable {
    /// Per-scalar action, packed: the output scalar (bits 0-20) or an index into `expansions`.
    private struct Action {
        static let expanded: UInt32 = 1 << 21
        static let removed: UInt32 = 1 << 22
        static let isolated: UInt32 = 1 << 23
        static let fallback: UInt32 = 1 << 24
        static let whitespace: UInt32 = 1 << 25
        static let punctuation: UInt32 = 1 << 26
        static let payload: UInt32 = (1 << 21) - 1
    }

    struct Scratch {
        var word = WordBuffer()
        var outputs: [UInt32] = []
    }

    let normalizer: BertNormalizer
    let model: WordPiece
    /// One action per BMP scalar.
    private let table: [UInt32]
    /// Expanded outputs: a count, then the scalars.
    private let expansions: [UInt32]

    init(normalizer: BertNormalizer, model: WordPiece) {
        self.normalizer = normalizer
        self.model = model
        var table = [UInt32](repeating: 0, count: 0x10000)
        var expansions: [UInt32] = []
        var outputs: [UInt32] = []
        for scalar in 0..<UInt32(0x10000) {
            var action = BertFastPath.transform(scalar, normalizer, &outputs)
            if action & (Action.removed | Action.fallback) == 0 {
                if outputs.count == 1 {
                    action |= outputs[0] | BertFastPath.classBits(outputs[0])
                } else {
                    action |= Action.expanded | UInt32(expansions.count)
                    expansions.append(UInt32(outputs.count))
                    expansions.append(contentsOf: outputs)
                }
            }
            table[Int(scalar)] = action
        }
        self.table = table
        self.expansions = expansions
    }

    private static func classBits(_ scalar: UInt32) -> UInt32 {
        let flags = CharacterClasses.flags(scalar)
        if flags.contains(.whitespace) { return Action.whitespace }
        if flags.contains(.punctuation) { return Action.punctuation }
        return 0
    }

    /// What BertNormalizer makes of one scalar: flags, and its outputs in `outputs`.
    private static func transform(_ scalar: UInt32, _ normalizer: BertNormalizer, _ outputs: inout [UInt32]) -> UInt32 {
        outputs.removeAll(keepingCapacity: true)
        var value = scalar
        let flags = CharacterClasses.flags(scalar)
        if normalizer.cleanText {
            if flags.contains(.control) { return Action.removed }
            if flags.contains(.whitespace) { value = 0x20 }
        }
        var action: UInt32 = 0
        if normalizer.handleChineseChars && flags.contains(.chinese) { action |= Action.isolated }
        var parts: [UInt32] = [value]
        if normalizer.stripsAccents && value >= 0xC0 {
            var buffer = [UInt32](repeating: 0, count: 32)
            let count = Int(dsp_decompose(0, value, &buffer, 32))
            if count > 0 { parts = Array(buffer[0..<count]) }
            var kept: [UInt32] = []
            for part in parts {
                let partFlags = CharacterClasses.flags(part)
                if partFlags.contains(.nonspacingMark) { continue }
                if CharacterClasses.combiningClass(part) != 0 { return Action.fallback }
                kept.append(part)
            }
            parts = kept
        }
        for part in parts {
            if normalizer.lowercase { CharacterClasses.appendLowercase(part, to: &outputs) } else { outputs.append(part) }
        }
        if outputs.isEmpty { return Action.removed }
        return action
    }

    /// Tokenizes one text segment into `sink`; offsets are `offset` + scalar index. Returns false
    /// (leaving `sink` as it was) when the segment needs the generic path.
    func tokenize(_ scalars: UnsafeBufferPointer<UInt32>, offset: Int, into sink: inout TokenSink,
                  scratch: inout Scratch) throws -> Bool {
        let rollback = sink.count
        scratch.word.removeAll()
        let ok = try table.withUnsafeBufferPointer { table -> Bool in
            for index in 0..<scalars.count {
                let scalar = scalars[index]
                let start = Int32(offset + index), end = start + 1
                var action: UInt32
                if scalar < 0x10000 {
                    action = table[Int(scalar)]
                    if action & (Action.removed | Action.fallback | Action.isolated | Action.expanded) == 0 {
                        // The common case: one scalar out, maybe a delimiter.
                        let output = action & Action.payload
                        if action & Action.whitespace != 0 {
                            try flush(&scratch.word, into: &sink)
                        } else if action & Action.punctuation != 0 {
                            try flush(&scratch.word, into: &sink)
                            scratch.word.append(output, start: start, end: end)
                            try flush(&scratch.word, into: &sink)
                        } else {
                            scratch.word.append(output, start: start, end: end)
                        }
                        continue
                    }
                    if action & Action.removed != 0 { continue }
                    if action & Action.fallback != 0 { return false }
                    scratch.outputs.removeAll(keepingCapacity: true)
                    if action & Action.expanded != 0 {
                        let at = Int(action & Action.payload)
                        let count = Int(expansions[at])
                        scratch.outputs.append(contentsOf: expansions[(at + 1)...(at + count)])
                    } else {
                        scratch.outputs.append(action & Action.payload)
                    }
                } else {
                    action = BertFastPath.transform(scalar, normalizer, &scratch.outputs)
                    if action & Action.removed != 0 { continue }
                    if action & Action.fallback != 0 { return false }
                }
                let isolated = action & Action.isolated != 0
                if isolated { try flush(&scratch.word, into: &sink) }
                for output in scratch.outputs {
                    let flags = CharacterClasses.flags(output)
                    if flags.contains(.whitespace) {
                        try flush(&scratch.word, into: &sink)
                    } else if flags.contains(.punctuation) {
                        try flush(&scratch.word, into: &sink)
                        scratch.word.append(output, start: start, end: end)
                        try flush(&scratch.word, into: &sink)
                    } else {
                        scratch.word.append(output, start: start, end: end)
                    }
                }
                if isolated { try flush(&scratch.word, into: &sink) }
            }
            try flush(&scratch.word, into: &sink)
            return true
        }
        if !ok {
            sink.removeLast(sink.count - rollback)
            scratch.word.removeAll()
        }
        return ok
    }

    @inline(__always)
    private func flush(_ word: inout WordBuffer, into sink: inout TokenSink) throws {
        guard !word.isEmpty else { return }
        try model.tokenize(word, into: &sink)
        word.removeAll()
    }
}
