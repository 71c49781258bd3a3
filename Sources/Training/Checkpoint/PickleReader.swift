import DSPrepSupport

/// A value built by `PickleReader`: plain data only. A global stays a name, and calling one
/// (REDUCE) only records the call, so reading a pickle never runs anything.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case tuple([PickleValue])
    /// A list or dict; `PickleContainer` is a reference, as in Python, so SETITEMS reaches the
    /// object a memo slot also holds.
    case container(PickleContainer)
    case global(String)
    /// REDUCE of a whitelisted `.record` global: the callable's name and its arguments.
    case call(String, [PickleValue])
    /// BINPERSID: torch's reference to a storage, resolved by the caller.
    case persistent(PickleValue)

    var int: Int? { if case let .int(value) = self { return value } else { return nil } }
    var string: String? { if case let .string(value) = self { return value } else { return nil } }
    var tuple: [PickleValue]? { if case let .tuple(items) = self { return items } else { return nil } }
}

/// A list or a dict (insertion order kept). Frozen once it is put inside another value: torch
/// fills a container right after creating it, so later mutation is refused, which also rules out
/// reference cycles and keeps `depth` exact.
final class PickleContainer {
    enum Kind { case list, dict }
    let kind: Kind
    private(set) var items: [PickleValue] = []
    private(set) var pairs: [(key: PickleValue, value: PickleValue)] = []
    fileprivate(set) var depth = 1
    fileprivate var frozen = false

    init(_ kind: Kind) { self.kind = kind }

    fileprivate func append(_ value: PickleValue, depth: Int) { items.append(value); self.depth = max(self.depth, depth + 1) }

    fileprivate func set(_ key: PickleValue, _ value: PickleValue, depth: Int) {
        pairs.append((key, value))
        self.depth = max(self.depth, depth + 1)
    }
}

/// A strict unpickler for the pickles `torch.save` writes (protocol 2; the protocol 4 framing
/// opcodes are accepted too). It implements only the opcodes such files use and resolves only the
/// globals it is given; an unknown opcode or any other global (`os.system`, `builtins.eval`, ...)
/// is refused with an `InputError` naming the file, the byte offset and the opcode or global.
/// Nothing is ever executed: REDUCE of an allowed callable yields an inert `.call`, or an empty
/// dict for dict classes such as `collections.OrderedDict`.
struct PickleReader {
    enum GlobalKind {
        /// A dict class: calling it with no arguments makes an empty dict; BUILD on its instances
        /// (attributes such as a state dict's `_metadata`) is accepted and dropped.
        case dictionary
        /// A function whose calls are recorded as `.call` for the caller to interpret.
        case record
        /// A name that may only be passed around (torch storage types), never called.
        case name
    }

    /// Deeper nesting than torch ever writes is refused, so that values stay cheap to release.
    static let maximumDepth = 64

    private struct Item { var value: PickleValue; var depth: Int }

    let path: String
    let globals: [String: GlobalKind]

    /// Reads the one value the pickle holds.
    func read(_ bytes: UnsafeRawBufferPointer) throws -> PickleValue {
        var stack: [Item] = [], marks: [Int] = [], memo: [Int: Item] = [:]
        var position = 0

        func fail(_ message: String, at offset: Int? = nil) -> InputError {
            InputError(message, at: SourceLocation(path: path, byteOffset: offset ?? position))
        }
        func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count >= 0, count <= bytes.count - position else {
                throw fail("the pickle ends inside an opcode argument (needs \(count) bytes): truncated?")
            }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        }
        func unsigned(_ count: Int) throws -> Int {
            try take(count).reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        func line() throws -> String {
            guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("a GLOBAL name has no end of line") }
            return try text(take(end - position + 1).dropLast(), utf8: true)
        }
        func text(_ raw: Slice<UnsafeRawBufferPointer>, utf8: Bool) throws -> String {
            guard utf8 else { return String(raw.map { Character(Unicode.Scalar($0)) }) }  // py2 str: Latin-1
            guard let string = String(validating: raw, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
            return string
        }
        func push(_ value: PickleValue, depth: Int = 0) throws {
            guard depth <= Self.maximumDepth else { throw fail("values nest more than \(Self.maximumDepth) deep") }
            stack.append(Item(value: value, depth: depth))
        }
        func pop() throws -> Item {
            guard let item = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw fail("the pickle stack is empty") }
            return item
        }
        func popToMark() throws -> [Item] {
            guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK before this opcode") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[mark...])
        }
        /// Puts items inside another value: containers among them freeze, and none may be `into`.
        func embed(_ items: [Item], into target: PickleContainer? = nil) throws -> Int {
            for item in items {
                if case let .container(inner) = item.value {
                    guard inner !== target else { throw fail("a container cannot contain itself") }
                    inner.frozen = true
                }
            }
            // a container's own depth, not the item's: a memo copy of the item predates its filling
            let depths = items.map { item -> Int in
                if case let .container(inner) = item.value { return inner.depth }
                return item.depth
            }
            return (depths.max() ?? 0) + 1
        }
        func tuple(_ items: [Item]) throws { try push(.tuple(items.map(\.value)), depth: embed(items)) }
        /// APPEND(S)/SETITEM(S): the list or dict being built stays on the stack below the items.
        func fill(with items: [Item], _ kind: PickleContainer.Kind) throws {
            guard stack.count > (marks.last ?? 0), case let .container(object) = stack[stack.count - 1].value,
                  object.kind == kind, !object.frozen else {
                throw fail(kind == .dict ? "SETITEM(S) on something that is not a dict being built"
                                         : "APPEND(S) on something that is not a list being built")
            }
            let depth = try embed(items, into: object) - 1
            if kind == .list {
                for item in items { object.append(item.value, depth: depth) }
            } else {
                guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of keys and values") }
                for pair in stride(from: 0, to: items.count, by: 2) { object.set(items[pair].value, items[pair + 1].value, depth: depth) }
            }
            guard object.depth <= Self.maximumDepth else { throw fail("values nest more than \(Self.maximumDepth) deep") }
            stack[stack.count - 1].depth = object.depth
        }
        func global(_ module: String, _ name: String, at offset: Int) throws {
            let qualified = module + "." + name
            guard globals[qualified] != nil else {
                throw fail("refuses global \(qualified): a weights file may only name torch's tensor rebuilders, torch storage types and collections.OrderedDict (nothing was executed)",
                           at: offset)
            }
            try push(.global(qualified))
        }

        while true {
            let offset = position
            let opcode = try take(1)[0]
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME (protocol 4): a length hint only
            case 0x2E:  // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("STOP with \(stack.count) values on the stack", at: offset) }
                return stack[0].value
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x4E: try push(.none)  // NONE
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4B: try push(.int(unsigned(1)))  // BININT1
            case 0x4D: try push(.int(unsigned(2)))  // BININT2
            case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: unsigned(4)))))  // BININT
            case 0x8A:  // LONG1: little-endian two's complement, at most 8 bytes here
                let count = try unsigned(1)
                guard count <= 8 else { throw fail("LONG1 of \(count) bytes is out of range", at: offset) }
                let raw = try unsigned(count), shift = 64 - 8 * count
                try push(.int(count == 0 ? 0 : Int(Int64(bitPattern: UInt64(truncatingIfNeeded: raw) << shift) >> shift)))
            case 0x47:  // BINFLOAT: big-endian double
                try push(.float(Double(bitPattern: try take(8).reduce(0) { $0 << 8 | UInt64($1) })))
            case 0x58: try push(.string(text(take(unsigned(4))[...], utf8: true)))  // BINUNICODE
            case 0x8C: try push(.string(text(take(unsigned(1))[...], utf8: true)))  // SHORT_BINUNICODE
            case 0x54: try push(.string(text(take(unsigned(4))[...], utf8: false)))  // BINSTRING
            case 0x55: try push(.string(text(take(unsigned(1))[...], utf8: false)))  // SHORT_BINSTRING
            case 0x29: try push(.tuple([]), depth: 1)  // EMPTY_TUPLE
            case 0x5D: try push(.container(PickleContainer(.list)), depth: 1)  // EMPTY_LIST
            case 0x7D: try push(.container(PickleContainer(.dict)), depth: 1)  // EMPTY_DICT
            case 0x74: try tuple(popToMark())  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let count = Int(opcode - 0x84)
                guard stack.count - count >= (marks.last ?? 0) else { throw fail("TUPLE\(count) needs \(count) values", at: offset) }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                try tuple(items)
            case 0x61:  // APPEND
                try fill(with: [try pop()], .list)
            case 0x65:  // APPENDS
                try fill(with: try popToMark(), .list)
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try fill(with: [key, value], .dict)
            case 0x75:  // SETITEMS
                try fill(with: try popToMark(), .dict)
            case 0x71, 0x72, 0x94:  // BINPUT, LONG_BINPUT, MEMOIZE
                guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw fail("nothing to memoize", at: offset) }
                let index = opcode == 0x94 ? memo.count : try unsigned(opcode == 0x71 ? 1 : 4)
                memo[index] = top
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let index = try unsigned(opcode == 0x68 ? 1 : 4)
                guard let item = memo[index] else { throw fail("memo slot \(index) is empty", at: offset) }
                stack.append(item)
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                try global(module, name, at: offset)
            case 0x93:  // STACK_GLOBAL
                let name = try pop().value.string, module = try pop().value.string
                guard let module, let name else { throw fail("STACK_GLOBAL needs two strings", at: offset) }
                try global(module, name, at: offset)
            case 0x51:  // BINPERSID
                let id = try pop()
                try push(.persistent(id.value), depth: embed([id]))
            case 0x52:  // REDUCE
                let arguments = try pop(), callable = try pop()
                guard case let .global(name) = callable.value, let kind = globals[name] else {
                    throw fail("REDUCE calls something that is not an allowed global", at: offset)
                }
                guard let items = arguments.value.tuple else { throw fail("REDUCE of \(name) without an argument tuple", at: offset) }
                switch kind {
                case .dictionary:
                    guard items.isEmpty else { throw fail("\(name) called with arguments", at: offset) }
                    try push(.container(PickleContainer(.dict)), depth: 1)
                case .record: try push(.call(name, items), depth: embed([arguments]))
                case .name: throw fail("refuses to call \(name)", at: offset)
                }
            case 0x62:  // BUILD: only a dict's attributes, which are dropped
                _ = try pop()
                guard case let .container(object)? = stack.last?.value, object.kind == .dict else {
                    throw fail("BUILD (setting an object's state) is only accepted on a dict", at: offset)
                }
            default:
                let printable = (0x21..<0x7F).contains(opcode) ? " ('\(Character(Unicode.Scalar(opcode)))')" : ""
                throw fail("pickle opcode 0x\(String(opcode, radix: 16))\(printable) is not supported by the strict unpickler (nothing was executed)",
                           at: offset)
            }
        }
    }
}
