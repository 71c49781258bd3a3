import DSPrepSupport
import Foundation
@testable import Tokenizers
import XCTest

/// Truncation with stride and overflow windows, single sequences and pairs, against HF tokenizers
/// 0.23.3: every encoding (overflowing windows compared recursively) or error that
/// tools/fixtures/generate-truncation-fixtures.py recorded in Fixtures/truncation (see that script for the
/// grid and the file layout). Needs neither ../shared nor Python.
final class TruncationParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/truncation")

    private struct Setting {
        var truncation: Truncation?
        var padding: Padding?
        var addSpecialTokens: Bool
        var description: String
    }

    private static func parse(_ file: String) throws -> JSONValue {
        let path = fixtures.appendingPathComponent(file).path
        return try JSONValue.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self), path: path)
    }

    func testEncodingsAndErrorsEqualHFTokenizers() throws {
        var tokenizers: [String: Tokenizer] = [:]
        for (name, document) in try Self.parse("tokenizers.json").objectValue ?? [] {
            tokenizers[name] = try TokenizerJSON.make(document, path: "tokenizers.json#\(name)")
        }
        let cases = try Self.parse("cases.json")
        XCTAssertEqual(cases["fields"]?.arrayValue?.compactMap(\.stringValue),
                       ["ids", "type_ids", "tokens", "offsets", "special_tokens_mask", "attention_mask", "overflowing"])
        let context = JSONContext(path: "cases.json")
        let settings = try (cases["settings"]?.arrayValue ?? []).map { setting in
            Setting(truncation: try setting["truncation"].flatMap { $0.isNull ? nil : try Truncation(json: $0, context: context) },
                    padding: try setting["padding"].flatMap { $0.isNull ? nil : try Padding(json: $0, context: context) },
                    addSpecialTokens: setting["add_special_tokens"]?.boolValue ?? true,
                    description: setting.serialized(.pythonDumps(indent: nil)))
        }
        let expected = try FixtureEncodings(cases["encodings"]?.arrayValue ?? [])
        let errors = (cases["errors"]?.arrayValue ?? []).compactMap(\.stringValue)

        var compared = 0, flatCompared = 0, mismatches: [String] = []
        for input in cases["inputs"]?.arrayValue ?? [] {
            let name = input["tokenizer"]?.stringValue ?? ""
            let text = input["text"]?.stringValue ?? ""
            let pair = input["pair"]?.stringValue
            let base = try XCTUnwrap(tokenizers[name], "no tokenizer \(name) in tokenizers.json")
            let results = input["results"]?.arrayValue?.compactMap(\.intValue) ?? []
            XCTAssertEqual(results.count, settings.count)
            for (setting, result) in zip(settings, results) {
                compared += 1
                let tokenizer = base.withTruncation(setting.truncation).withPadding(setting.padding)
                let label = "\(name) \(text.debugDescription) + \(pair?.debugDescription ?? "nil") with \(setting.description)"
                let outcome = Result {
                    try pair.map { try tokenizer.encode(text, pair: $0, addSpecialTokens: setting.addSpecialTokens) }
                        ?? tokenizer.encode(text, addSpecialTokens: setting.addSpecialTokens)
                }
                if pair == nil && tokenizer.supportsEncodeIDs {
                    flatCompared += 1
                    if let difference = flatPathDifference(tokenizer, text, setting.addSpecialTokens, outcome) {
                        mismatches.append("\(label): the flat line path \(difference)")
                    }
                }
                switch (outcome, result >= 0) {
                case let (.success(encoding), true):
                    if let difference = try expected.difference(encoding, from: result) { mismatches.append("\(label): \(difference)") }
                case let (.success(encoding), false):
                    mismatches.append("\(label): HF fails (\(errors[-result - 1])), we give ids \(encoding.ids)")
                case let (.failure(error), true):
                    mismatches.append("\(label): HF encodes, we throw \(error)")
                case let (.failure(error), false):
                    // The same cause, in our words.
                    let theirs = errors[-result - 1], ours = "\(error)"
                    let cause = theirs.contains("stride") ? "stride" : theirs.contains("Second sequence") ? "needs a pair" : "cannot fit"
                    if !ours.contains(cause) { mismatches.append("\(label): HF fails with \"\(theirs)\", we with \"\(ours)\"") }
                }
            }
        }
        XCTAssertGreaterThan(compared, 0)
        XCTAssertGreaterThan(flatCompared, 0)
        XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) of \(compared) cases differ from HF:\n"
                      + mismatches.prefix(10).joined(separator: "\n"))
    }
}

/// How `encodeIDs` (the flat path of `dsprep encode` and `tokenize`, no `Encoding`) differs from
/// `encode`'s outcome on a single text: other ids, or failing where the other does not.
private func flatPathDifference(_ tokenizer: Tokenizer, _ text: String, _ addSpecialTokens: Bool,
                                _ outcome: Result<Encoding, Error>) -> String? {
    var workspace = Tokenizer.Workspace()
    let flat = Result {
        try Array(text.utf8).withUnsafeBytes { try tokenizer.encodeIDs(utf8: $0, addSpecialTokens: addSpecialTokens, workspace: &workspace) }
        return Array(workspace.ids)
    }
    switch (flat, outcome) {
    case let (.success(ids), .success(encoding)): return ids == encoding.ids ? nil : "gives ids \(ids), encode \(encoding.ids)"
    case let (.success(ids), .failure(error)): return "gives ids \(ids), encode throws \(error)"
    case let (.failure(error), .success): return "throws \(error)"
    case (.failure, .failure): return nil
    }
}

/// The `encodings` table of cases.json: each a list of fields, overflowing by index.
private struct FixtureEncodings {
    let rows: [[JSONValue]]

    init(_ encodings: [JSONValue]) throws {
        rows = try encodings.map { try XCTUnwrap($0.arrayValue, "an encoding of cases.json is not a list") }
    }

    /// Where `encoding` first differs from encoding `index` (windows recursively), or nil.
    func difference(_ encoding: Encoding, from index: Int, path: String = "") throws -> String? {
        let row = try XCTUnwrap(rows.indices.contains(index) ? rows[index] : nil, "no encoding \(index) in cases.json")
        XCTAssertEqual(row.count, 7)
        func ints(_ field: Int) -> [Int] { row[field].arrayValue?.compactMap(\.intValue) ?? [] }
        func compare<T: Equatable>(_ name: String, _ theirs: [T], _ ours: [T]) -> String? {
            theirs == ours ? nil : "\(path)\(name): HF \(theirs), ours \(ours)"
        }
        let offsets = row[3].arrayValue?.map { $0.arrayValue?.compactMap(\.intValue) ?? [] } ?? []
        if let difference = compare("ids", ints(0), encoding.ids.map(Int.init))
            ?? compare("type_ids", ints(1), encoding.typeIds.map(Int.init))
            ?? compare("tokens", row[2].arrayValue?.compactMap(\.stringValue) ?? [], encoding.tokens)
            ?? compare("offsets", offsets, encoding.offsets.map { [Int($0.start), Int($0.end)] })
            ?? compare("special_tokens_mask", ints(4), encoding.specialTokensMask.map(Int.init))
            ?? compare("attention_mask", ints(5), encoding.attentionMask.map(Int.init)) {
            return difference
        }
        let windows = ints(6)
        guard windows.count == encoding.overflowing.count else {
            return "\(path)overflowing: HF has \(windows.count) windows, ours \(encoding.overflowing.count)"
        }
        for (number, (window, ours)) in zip(windows, encoding.overflowing).enumerated() {
            if let difference = try difference(ours, from: window, path: "\(path)overflowing[\(number)].") { return difference }
        }
        return nil
    }
}
