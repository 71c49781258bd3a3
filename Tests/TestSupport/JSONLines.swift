import Foundation

/// Fixtures written one JSON object per line by the `tools/fixtures/` generators.
public enum JSONLines {
    public static func decode<Record: Decodable>(_ type: Record.Type, at url: URL) throws -> [Record] {
        let decoder = JSONDecoder()
        return try Data(contentsOf: url).split(separator: UInt8(ascii: "\n")).map { try decoder.decode(type, from: Data($0)) }
    }
}
