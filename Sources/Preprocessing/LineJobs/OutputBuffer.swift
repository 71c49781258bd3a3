import Foundation

/// Output bytes for one chunk of lines, written through a raw pointer: printing the ids costs as
/// much as tokenizing them when every byte goes through `Array.append` (a capacity and uniqueness
/// check per byte), so each primitive checks capacity once and then stores without checks.
struct OutputBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written, handed over without a copy.
    consuming func data() -> Data {
        let data = Data(bytesNoCopy: storage, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
        discard self
        return data
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        let grown = max(capacity * 2, needed)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = grown
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let base = bytes.baseAddress { (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// "00" "01" ... "99": two digits per division (a literal, so reading it costs no lazy-global check).
    private static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// A decimal integer (ids and offsets are 32-bit).
    mutating func appendInteger(_ value: Int32) {
        reserve(11)
        if value < 0 {
            storage[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var position = count + Self.decimalDigits(magnitude)
        count = position
        let pairs = Self.digitPairs.utf8Start
        while magnitude >= 100 {
            let pair = Int(magnitude % 100) * 2
            magnitude /= 100
            position -= 2
            storage[position] = pairs[pair]
            storage[position + 1] = pairs[pair + 1]
        }
        if magnitude >= 10 {
            let pair = Int(magnitude) * 2
            storage[position - 2] = pairs[pair]
            storage[position - 1] = pairs[pair + 1]
        } else {
            storage[position - 1] = UInt8(48 + magnitude)
        }
    }

    @inline(__always)
    private static func decimalDigits(_ value: UInt32) -> Int {
        if value < 100_000 {
            return value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10000 ? 4 : 5
        }
        return value < 10_000_000 ? (value < 1_000_000 ? 6 : 7) : value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10
    }

    /// One line of ids separated by spaces, then a newline: one 8-byte store per id from
    /// `decimal` (ids outside it are formatted).
    mutating func appendIDLine(_ ids: UnsafeBufferPointer<Int32>, decimal: DecimalIDs) {
        for id in ids {
            reserve(8)
            if let slot = decimal.slot(id) {
                UnsafeMutableRawPointer(storage + count).storeBytes(of: slot, as: UInt64.self)
                count += Int(slot >> 56)
            } else {
                appendInteger(id)
                append(0x20)
            }
        }
        // The last separator becomes the newline.
        if ids.isEmpty { append(0x0A) } else { storage[count - 1] = 0x0A }
    }

    /// One output line: ids, pieces or the JSON object, then a newline.
    mutating func appendLine(format: TokenOutputFormat, count: Int, id: (Int) -> Int32, token: (Int) -> [UInt8],
                             offset: (Int) -> (Int32, Int32)) {
        appendItems(format: format, count: count, id: id, token: token, offset: offset)
        append(0x0A)
    }

    /// Starts a line of `appendItems` output; a list (--nbest) in JSON is an array.
    mutating func beginLine(format: TokenOutputFormat, isList: Bool) {
        if isList && format == .json { append(UInt8(ascii: "[")) }
    }

    /// Between two encodings of one line (--nbest): a tab, or a comma in the JSON array.
    mutating func appendSeparator(format: TokenOutputFormat) {
        append(format == .json ? UInt8(ascii: ",") : 0x09)
    }

    mutating func endLine(format: TokenOutputFormat, isList: Bool) {
        if isList && format == .json { append(UInt8(ascii: "]")) }
        append(0x0A)
    }

    /// Ids, pieces or the JSON object of one encoding, without the newline; `moreJSON` writes
    /// further members of the JSON object (each starting with a comma).
    mutating func appendItems(format: TokenOutputFormat, count: Int, id: (Int) -> Int32, token: (Int) -> [UInt8],
                              offset: (Int) -> (Int32, Int32), moreJSON: (inout OutputBuffer) -> Void = { _ in }) {
        switch format {
        case .id:
            for index in 0..<count {
                if index > 0 { append(0x20) }
                appendInteger(id(index))
            }
        case .piece:
            for index in 0..<count {
                if index > 0 { append(0x20) }
                append(token(index))
            }
        case .json:
            append(#"{"ids":["#)
            for index in 0..<count {
                if index > 0 { append(UInt8(ascii: ",")) }
                appendInteger(id(index))
            }
            append(#"],"tokens":["#)
            for index in 0..<count {
                if index > 0 { append(UInt8(ascii: ",")) }
                append(token(index))
            }
            append(#"],"offsets":["#)
            for index in 0..<count {
                if index > 0 { append(UInt8(ascii: ",")) }
                let (start, end) = offset(index)
                append(UInt8(ascii: "["))
                appendInteger(start)
                append(UInt8(ascii: ","))
                appendInteger(end)
                append(UInt8(ascii: "]"))
            }
            append("]")
            moreJSON(&self)
            append("}")
        }
    }
}

/// The decimal text of each id below `count`, followed by a space, packed in 8 bytes (up to 7
/// bytes of text, its length in the top byte) for `OutputBuffer.appendIDLine`.
struct DecimalIDs {
    private let slots: [UInt64]

    /// `count`: the ids to cover (capped at 1,000,000, so the text fits 7 bytes).
    init(count: Int) {
        slots = (0..<min(max(count, 0), 1_000_000)).map { id in
            var slot: UInt64 = 0
            let text = Array("\(id) ".utf8)
            for (index, byte) in text.enumerated() { slot |= UInt64(byte) << (8 * UInt64(index)) }
            return slot | UInt64(text.count) << 56
        }
    }

    /// Little-endian: the text bytes come first in memory, the length byte is the 8th.
    @inline(__always)
    func slot(_ id: Int32) -> UInt64? {
        id >= 0 && Int(id) < slots.count ? slots.withUnsafeBufferPointer { $0[Int(id)] } : nil
    }
}
