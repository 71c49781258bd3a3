/// The one JSON string escaper: quotes, backslashes and control characters escaped (\n, \r and
/// \t by name, the rest as \u00xx), everything else raw UTF-8; or with `asciiOnly`, as Python's
/// `json.dumps` writes by default, every scalar outside space...tilde as \uxxxx UTF-16 units
/// (\b and \f by name).
public enum JSONStringLiteral {
    public static func append(_ text: String, asciiOnly: Bool = false, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        if asciiOnly {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x7F {
                    appendASCII(UInt8(scalar.value), asciiOnly: true, to: &bytes)
                } else {
                    for unit in String(scalar).utf16 { appendEscape(unit, to: &bytes) }
                }
            }
        } else {
            for byte in text.utf8 {
                if byte < 0x80 { appendASCII(byte, asciiOnly: false, to: &bytes) } else { bytes.append(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendASCII(_ byte: UInt8, asciiOnly: Bool, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes += #"\""#.utf8
        case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
        case 0x0A: bytes += #"\n"#.utf8
        case 0x0D: bytes += #"\r"#.utf8
        case 0x09: bytes += #"\t"#.utf8
        case 0x08 where asciiOnly: bytes += #"\b"#.utf8
        case 0x0C where asciiOnly: bytes += #"\f"#.utf8
        case 0..<0x20: appendEscape(UInt16(byte), to: &bytes)
        default: bytes.append(byte)
        }
    }

    private static func appendEscape(_ unit: UInt16, to bytes: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        bytes += #"\u"#.utf8
        for shift in stride(from: 12, through: 0, by: -4) { bytes.append(hex[Int(unit >> UInt16(shift)) & 15]) }
    }
}
