/// A UTF-8 validator with one table load and one shift per byte and no branches, after the
/// "shift-based DFA" construction (Per Vognsen): each byte's table entry packs, for every
/// state, the bit offset of the next state, so `state = table[byte] >> state` is the whole step
/// and the CPU's shift takes only the low 6 bits of `state`. It rejects what Unicode rejects
/// (overlong forms, surrogates, values past U+10FFFF) and NUL bytes, which dsprep refuses in
/// text files. It only answers "valid or not"; `UTF8Check.scan` finds where.
struct UTF8Automaton {
    /// States, each stored as its bit offset (6 bits per state in a table entry).
    private enum State: Int, CaseIterable {
        case accept = 0
        case oneMore, twoMore            // continuation bytes still expected
        case afterE0, afterED            // the second byte has a narrowed range
        case afterF0, afterF1toF3, afterF4
        case failure

        var offset: UInt64 { UInt64(rawValue * 6) }
    }

    private static let table: [UInt64] = (0..<256).map { byte in
        State.allCases.reduce(UInt64(0)) { entry, state in
            entry | next(state, UInt8(byte)).offset << state.offset
        }
    }

    private static func next(_ state: State, _ byte: UInt8) -> State {
        switch (state, byte) {
        case (.accept, 0x01...0x7F): return .accept
        case (.accept, 0xC2...0xDF): return .oneMore
        case (.accept, 0xE0): return .afterE0
        case (.accept, 0xED): return .afterED
        case (.accept, 0xE1...0xEF): return .twoMore
        case (.accept, 0xF0): return .afterF0
        case (.accept, 0xF1...0xF3): return .afterF1toF3
        case (.accept, 0xF4): return .afterF4
        case (.oneMore, 0x80...0xBF): return .accept
        case (.twoMore, 0x80...0xBF), (.afterE0, 0xA0...0xBF), (.afterED, 0x80...0x9F): return .oneMore
        case (.afterF0, 0x90...0xBF), (.afterF1toF3, 0x80...0xBF), (.afterF4, 0x80...0x8F): return .twoMore
        default: return .failure
        }
    }

    private var state = State.accept.offset

    var failed: Bool { state & 63 == State.failure.offset }
    /// Valid so far and not inside a sequence.
    var isComplete: Bool { state & 63 == State.accept.offset }

    mutating func consume(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) {
        guard let base = bytes.baseAddress else { return }
        Self.table.withUnsafeBufferPointer { table in
            var state = self.state
            var index = from
            let highBits: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            while index < to {
                // Eight ASCII bytes without NUL leave the accept state unchanged.
                if index + 8 <= to && state & 63 == 0 {
                    let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    let hasZero = (word &- ones) & ~word & highBits
                    if (word | hasZero) & highBits == 0 {
                        index += 8
                        continue
                    }
                }
                let end = min(index + 64, to)
                while index < end {
                    state = table[Int(base.load(fromByteOffset: index, as: UInt8.self))] &>> state
                    index += 1
                }
            }
            self.state = state
        }
    }
}
