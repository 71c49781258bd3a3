import CZlib
import DSPrepSupport

/// The entries of a zip archive of stored (uncompressed) files, located in memory: what
/// `torch.save` writes. The central directory is the source of truth (torch's writer puts zeros in
/// the local headers and the real CRC and sizes in a data descriptor after each entry); zip64
/// records are followed when present (torch always writes them). Every offset and length is
/// checked against the bytes; nothing is decompressed, so a compressed entry is an error.
struct ZipArchive {
    struct Entry {
        var name: String
        /// Byte range of the entry's data within the archive.
        var data: Range<Int>
        var crc32: UInt32
    }

    let path: String
    let bytes: UnsafeRawBufferPointer
    /// In central-directory order.
    let entries: [Entry]
    private let byName: [String: Int]

    private static let localSignature: UInt32 = 0x0403_4b50, centralSignature: UInt32 = 0x0201_4b50
    private static let endSignature: UInt32 = 0x0605_4b50, zip64EndSignature: UInt32 = 0x0606_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50, descriptorSignature: UInt32 = 0x0807_4b50

    init(bytes: UnsafeRawBufferPointer, path: String) throws {
        self.path = path
        self.bytes = bytes
        let reader = ByteReader(bytes: bytes, path: path)
        let directory = try Self.centralDirectory(reader)
        var entries: [Entry] = [], byName: [String: Int] = [:]
        var offset = directory.offset
        for _ in 0..<directory.count {
            let entry = try Self.entry(at: &offset, directoryEnd: directory.offset + directory.size, reader)
            guard byName[entry.name] == nil else { throw reader.error("entry \(entry.name) appears twice", at: offset) }
            byName[entry.name] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.byName = byName
    }

    func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

    func data(of entry: Entry) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[entry.data]) }

    /// Throws unless the entry's data has the CRC-32 the central directory records.
    func verifyChecksum(of entry: Entry) throws {
        let actual = CRC32.checksum(data(of: entry))
        try check(actual == entry.crc32,
                  "CRC-32 of the data is \(hex(actual)), the zip directory records \(hex(entry.crc32)) (the file is corrupt)",
                  at: SourceLocation(path: path + " [\(entry.name)]"))
    }

    /// Finds the end-of-central-directory record (the last 22+ bytes; a comment may follow it)
    /// and, through the zip64 locator before it, the zip64 record with 64-bit counts and offsets.
    private static func centralDirectory(_ reader: ByteReader) throws -> (offset: Int, size: Int, count: Int) {
        let count = reader.bytes.count
        guard count >= 22 else { throw reader.error("is not a zip archive (\(count) bytes, too short for the zip directory)") }
        // the record is 22 bytes plus a comment of up to 0xFFFF bytes that ends the file
        let lastCandidates = stride(from: count - 22, through: max(0, count - 22 - 0xFFFF), by: -1)
        guard let end = try lastCandidates.first(where: {
            try reader.u32($0) == endSignature && $0 + 22 + Int(try reader.u16($0 + 20)) == count
        }) else {
            throw reader.error("no end-of-central-directory record: not a zip archive, or truncated")
        }
        var entries = Int(try reader.u16(end + 10)), size = Int(try reader.u32(end + 12))
        var offset = Int(try reader.u32(end + 16))
        if end >= 20, try reader.u32(end - 20) == zip64LocatorSignature {
            let record = try reader.int64(end - 20 + 8)
            guard try reader.u32(record) == zip64EndSignature else {
                throw reader.error("the zip64 locator points at byte \(record), which holds no zip64 end record", at: end - 20)
            }
            entries = try reader.int64(record + 32)
            size = try reader.int64(record + 40)
            offset = try reader.int64(record + 48)
        }
        guard offset <= count, size <= count - offset, entries <= size / 46 else {
            throw reader.error("the central directory (\(entries) entries, \(size) bytes at byte \(offset)) runs past the end of the file (\(count) bytes): truncated?", at: end)
        }
        return (offset, size, entries)
    }

    /// Reads one central-directory record at `offset` (advanced past it) and checks its local
    /// header and, when flagged, its data descriptor against it.
    private static func entry(at offset: inout Int, directoryEnd: Int, _ reader: ByteReader) throws -> Entry {
        let record = offset
        guard record + 46 <= directoryEnd, try reader.u32(record) == centralSignature else {
            throw reader.error("expected a central directory record", at: record)
        }
        let flags = try reader.u16(record + 8), method = try reader.u16(record + 10), crc = try reader.u32(record + 16)
        var compressed = Int(try reader.u32(record + 20)), size = Int(try reader.u32(record + 24))
        let nameLength = Int(try reader.u16(record + 28)), extraLength = Int(try reader.u16(record + 30))
        let commentLength = Int(try reader.u16(record + 32))
        var local = Int(try reader.u32(record + 42))
        let name = try reader.string(record + 46, count: nameLength)
        offset = record + 46 + nameLength + extraLength + commentLength
        guard offset <= directoryEnd else { throw reader.error("entry \(name): its record runs past the central directory", at: record) }
        // zip64 extended information: the 64-bit values of the fields saturated at 0xFFFFFFFF, in this order
        var extra = record + 46 + nameLength
        while extra + 4 <= record + 46 + nameLength + extraLength {
            let id = try reader.u16(extra), length = Int(try reader.u16(extra + 2))
            if id == 1 {
                var field = extra + 4
                func widen(_ value: inout Int) throws {
                    guard value == 0xFFFF_FFFF else { return }
                    guard field + 8 <= extra + 4 + length else { throw reader.error("entry \(name): short zip64 extra field", at: extra) }
                    value = try reader.int64(field)
                    field += 8
                }
                try widen(&size)
                try widen(&compressed)
                try widen(&local)
            }
            extra += 4 + length
        }
        let location = SourceLocation(path: reader.path + " [\(name)]")
        try check(flags & 1 == 0, "is encrypted", at: location)
        try check(method == 0, "is compressed (method \(method)); torch writes stored entries only", at: location)
        try check(compressed == size, "stored entry has compressed size \(compressed) but size \(size)", at: location)

        guard local <= reader.bytes.count - 30, try reader.u32(local) == localSignature else {
            throw InputError("the local header at byte \(local) is missing: truncated or not a zip archive", at: location)
        }
        let localName = Int(try reader.u16(local + 26)), localExtra = Int(try reader.u16(local + 28))
        try check(try reader.string(local + 30, count: localName) == name, "the local header names another entry", at: location)
        let start = local + 30 + localName + localExtra
        guard start <= reader.bytes.count, size <= reader.bytes.count - start else {
            throw InputError("its \(size) bytes at byte \(start) run past the end of the file (\(reader.bytes.count) bytes): truncated?", at: location)
        }
        if flags & 8 != 0 {
            try checkDescriptor(at: start + size, crc: crc, size: size, reader, location)
        } else {
            let localCRC = try reader.u32(local + 14), localSize = try reader.u32(local + 22)
            try check(localCRC == crc && (localSize == 0xFFFF_FFFF || Int(localSize) == size),
                      "the local header (CRC \(hex(localCRC)), \(localSize) bytes) disagrees with the zip directory (CRC \(hex(crc)), \(size) bytes)",
                      at: location)
        }
        return Entry(name: name, data: start..<(start + size), crc32: crc)
    }

    /// The data descriptor after the data must repeat the directory's CRC and sizes: a wrong size in
    /// the directory lands elsewhere and is caught here.
    private static func checkDescriptor(at offset: Int, crc: UInt32, size: Int, _ reader: ByteReader,
                                        _ location: SourceLocation) throws {
        var at = offset
        if (try? reader.u32(at)) == descriptorSignature { at += 4 }
        let found = try? reader.u32(at)
        let sizes32 = (try? reader.u32(at + 4)).map(Int.init), sizes64 = try? reader.int64(at + 4)
        let matches32 = sizes32 == size && (try? reader.u32(at + 8)).map(Int.init) == size
        let matches64 = sizes64 == size && (try? reader.int64(at + 12)) == size
        guard found == crc, matches32 || matches64 else {
            throw InputError("the data descriptor after the data does not repeat the zip directory's CRC \(hex(crc)) and size \(size): the size is wrong or the file is corrupt",
                             at: location)
        }
    }
}

private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }

/// Little-endian fields at checked offsets; every read past the end throws.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String

    func error(_ message: String, at offset: Int? = nil) -> InputError {
        InputError(message, at: SourceLocation(path: path, byteOffset: offset))
    }

    private func need(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw error("needs \(count) bytes at byte \(offset), the file has \(bytes.count): truncated?", at: offset)
        }
    }

    func u16(_ offset: Int) throws -> UInt16 {
        try need(offset, 2)
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int) throws -> UInt32 {
        try need(offset, 4)
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A 64-bit size or offset, refused when it does not fit an Int with room to add to it.
    func int64(_ offset: Int) throws -> Int {
        try need(offset, 8)
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        guard value < UInt64(Int.max / 2) else { throw error("64-bit field \(value) is out of range", at: offset) }
        return Int(value)
    }

    func string(_ offset: Int, count: Int) throws -> String {
        try need(offset, count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]), as: UTF8.self)
    }
}

/// CRC-32 (IEEE, as zip uses), through zlib.
enum CRC32 {
    static func checksum(_ data: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = data.baseAddress, data.count > 0 else { return 0 }
        return UInt32(truncatingIfNeeded: crc32_z(0, base.assumingMemoryBound(to: UInt8.self), z_size_t(data.count)))
    }
}
