import CICU

/// BertNormalizer + BertPreTokenizer + WordPiece fused into one pass over the text's UTF-8
/// bytes, with no intermediate strings or scalar arrays: the hot path for BERT tokenizers. Each
/// byte sequence is decoded, looked up in a per-scalar table (normalized output and delimiter
/// class), and appended to the current word, which goes to WordPiece's trie at each delimiter.
///
/// Why it is exact: every BertNormalizer step except NFD maps each scalar independently, and its
/// outputs all take that scalar's alignment (HF gives inserted and replacing scalars the
/// alignment of the scalar they come from). NFD can reorder combining marks across scalars, but
/// strip_accents then removes every Mn mark, so only starters survive and their alignment is
/// unchanged. The one exception, a surviving non-Mn combining mark (e.g. U+302E), sends the
/// segment to the generic path. So a table maps each scalar to its normalized output once.
final class BertFastPath: Sendable {
    /// Per-scalar action, packed: the output scalar (bits 0-20) or an index into `expansions`.
    private struct Action {
        static let expanded: UInt32 = 1 << 21
        static let removed: UInt32 = 1 << 22
        static let isolated: UInt32 = 1 << 23
        static let fallback: UInt32 = 1 << 24
        static let whitespace: UInt32 = 1 << 25
        static let punctuation: UInt32 = 1 << 26
        /// The scalar starts an original-text added token: the text may need splitting first.
        static let addedTokenStart: UInt32 = 1 << 27
        static let payload: UInt32 = (1 << 21) - 1
        /// Anything but "one output scalar that continues the word".
        static let special: UInt32 = ~payload
    }

    /// Per-thread buffers: the word being assembled, the outputs of one scalar.
    struct Scratch {
        var word = ScalarWord()
        var outputs: [UInt32] = []
    }

    let normalizer: BertNormalizer
    let model: WordPiece
    /// One action per BMP scalar.
    private let table: [UInt32]
    /// Expanded outputs: a count, then the scalars.
    private let expansions: [UInt32]
    /// The UTF-8 of the added tokens matched in the original text.
    private let addedTokenPatterns: [[UInt8]]
    /// Whether one of them starts above the BMP (where `table` cannot flag it).
    private let addedTokenStartsAboveBMP: Bool

    /// `addedTokens`: the contents of the added tokens matched in the original text.
    init(normalizer: BertNormalizer, model: WordPiece, addedTokens: [String]) {
        self.normalizer = normalizer
        self.model = model
        addedTokenPatterns = addedTokens.map { Array($0.utf8) }.filter { !$0.isEmpty }
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
        var supplementaryStart = false
        for pattern in addedTokenPatterns {
            let first = String(decoding: pattern, as: UTF8.self).unicodeScalars.first.map(\.value) ?? 0
            if first < 0x10000 { table[Int(first)] |= Action.addedTokenStart } else { supplementaryStart = true }
        }
        addedTokenStartsAboveBMP = supplementaryStart
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

    /// Tokenizes UTF-8 `text` into `sink`; offsets are `scalarOffset` + scalar index. Returns
    /// false (leaving `sink` as it was) when the text needs the generic path: a scalar whose
    /// normalization is not per-scalar, a malformed byte sequence, or (with `stopAtAddedTokens`)
    /// an added token in the text.
    func tokenize(utf8 text: UnsafeBufferPointer<UInt8>, scalarOffset: Int, stopAtAddedTokens: Bool,
                  into sink: inout TokenSink, scratch: inout Scratch) throws -> Bool {
        let rollback = sink.count
        let word = scratch.word
        word.removeAll()
        let count = text.count
        let ok = try model.withMatcher { matcher in try table.withUnsafeBufferPointer { table -> Bool in
            var position = 0
            var index = Int32(truncatingIfNeeded: scalarOffset)
            while position < count {
                let lead = UInt32(text[position])
                var scalar: UInt32
                var length: Int
                if lead < 0x80 {
                    scalar = lead
                    length = 1
                } else {
                    length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                    guard lead >= 0xC2, lead < 0xF5, position + length <= count else { return false }
                    scalar = lead & (0x7F >> UInt32(length))
                    for offset in 1..<length { scalar = scalar << 6 | UInt32(text[position + offset] & 0x3F) }
                }
                let start = index
                index += 1
                var action: UInt32
                if scalar < 0x10000 {
                    action = table[Int(scalar)]
                    if action & Action.special == 0 {
                        // The common case: one scalar out, inside a word.
                        word.append(action, origin: start)
                        position += length
                        continue
                    }
                    if action & Action.addedTokenStart != 0 {
                        if stopAtAddedTokens && startsAddedToken(text, at: position) { return false }
                        action &= ~Action.addedTokenStart
                    }
                    position += length
                    if action & Action.removed != 0 { continue }
                    if action & Action.fallback != 0 { return false }
                    if action & Action.expanded == 0 {
                        // One output: a delimiter, a scalar that stands alone (CJK), or plain.
                        let output = action & Action.payload
                        if action & Action.whitespace != 0 {
                            try flush(word, matcher, into: &sink)
                        } else if action & (Action.isolated | Action.punctuation) != 0 {
                            try flush(word, matcher, into: &sink)
                            word.append(output, origin: start)
                            try flush(word, matcher, into: &sink)
                        } else {
                            word.append(output, origin: start)
                        }
                        continue
                    }
                    let at = Int(action & Action.payload)
                    scratch.outputs.removeAll(keepingCapacity: true)
                    scratch.outputs.append(contentsOf: expansions[(at + 1)...(at + Int(expansions[at]))])
                } else {
                    if stopAtAddedTokens && addedTokenStartsAboveBMP && startsAddedToken(text, at: position) { return false }
                    position += length
                    action = BertFastPath.transform(scalar, normalizer, &scratch.outputs)
                    if action & Action.removed != 0 { continue }
                    if action & Action.fallback != 0 { return false }
                }
                let isolated = action & Action.isolated != 0
                if isolated { try flush(word, matcher, into: &sink) }
                for output in scratch.outputs {
                    let flags = CharacterClasses.flags(output)
                    if flags.contains(.whitespace) {
                        try flush(word, matcher, into: &sink)
                    } else if flags.contains(.punctuation) {
                        try flush(word, matcher, into: &sink)
                        word.append(output, origin: start)
                        try flush(word, matcher, into: &sink)
                    } else {
                        word.append(output, origin: start)
                    }
                }
                if isolated { try flush(word, matcher, into: &sink) }
            }
            try flush(word, matcher, into: &sink)
            return true
        } }
        if !ok {
            sink.removeLast(sink.count - rollback)
            word.removeAll()
        }
        return ok
    }

    /// Whether one of the original-text added tokens starts at byte `position` of `text`.
    private func startsAddedToken(_ text: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        let rest = UnsafeBufferPointer(rebasing: text[position...])
        return addedTokenPatterns.contains { rest.starts(with: $0) }
    }

    /// Emits the pieces of the word assembled so far.
    @inline(__always)
    private func flush(_ word: ScalarWord, _ matcher: WordPiece.Matcher, into sink: inout TokenSink) throws {
        guard word.count > 0 else { return }
        try matcher.tokenize(word.scalars, starts: word.starts, ends: word.ends, into: &sink)
        word.removeAll()
    }
}

/// The word the fast path assembles: normalized scalars, each with the [start, end) of the
/// original scalar it came from. Raw buffers that only grow, so appending is three stores;
/// per-thread scratch (copies share the buffers).
final class ScalarWord {
    private var capacity = 64
    private(set) var count = 0
    private var scalarStorage = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    private var startStorage = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    private var endStorage = UnsafeMutablePointer<Int32>.allocate(capacity: 64)

    deinit {
        scalarStorage.deallocate()
        startStorage.deallocate()
        endStorage.deallocate()
    }

    var scalars: UnsafeBufferPointer<UInt32> { UnsafeBufferPointer(start: scalarStorage, count: count) }
    var starts: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: startStorage, count: count) }
    var ends: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: endStorage, count: count) }

    @inline(__always)
    func removeAll() { count = 0 }

    /// Appends `scalar`, which came from original scalar `origin`.
    @inline(__always)
    func append(_ scalar: UInt32, origin: Int32) {
        if count == capacity { grow() }
        // Safety: count < capacity after the check.
        scalarStorage[count] = scalar
        startStorage[count] = origin
        endStorage[count] = origin + 1
        count += 1
    }

    @inline(never)
    private func grow() {
        capacity *= 2
        scalarStorage = ScalarWord.reallocate(scalarStorage, count: count, capacity: capacity)
        startStorage = ScalarWord.reallocate(startStorage, count: count, capacity: capacity)
        endStorage = ScalarWord.reallocate(endStorage, count: count, capacity: capacity)
    }

    private static func reallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> UnsafeMutablePointer<T> {
        let fresh = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        fresh.moveInitialize(from: pointer, count: count)
        pointer.deallocate()
        return fresh
    }
}
