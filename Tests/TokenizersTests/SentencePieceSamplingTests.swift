import DSPrepSupport
import Foundation
@testable import Tokenizers
import TestSupport
import XCTest

/// N-best segmentation against sentencepiece 0.2.3's `nbest_encode_as_ids/pieces` (fixtures by
/// tools/fixtures/generate-unigram-fixtures.py), and sampling against the exact distribution computed
/// by hand from the spec: over all segmentations s of a text, P(s) ∝ exp(alpha · score(s)).
final class SentencePieceSamplingTests: XCTestCase {
    struct NBestRecord: Decodable {
        struct Lists: Decodable {
            var ids: [[Int32]]
            var pieces: [[String]]
        }
        var text: String
        var nbest: [String: Lists]
    }

    private func checkNBest(_ tokenizer: SentencePieceTokenizer, _ fixture: String) throws {
        let records = try JSONLines.decode(NBestRecord.self, at: SentencePieceParityTests.fixtures.appendingPathComponent(fixture))
        XCTAssertFalse(records.isEmpty)
        for (line, record) in records.enumerated() {
            for (size, expected) in record.nbest {
                let context = "\(fixture) line \(line + 1) n=\(size): \(record.text.debugDescription)"
                let nbest = tokenizer.nbestEncode(record.text, size: Int(size) ?? 0)
                XCTAssertEqual(nbest.map(\.encoding.ids), expected.ids, context)
                // sentencepiece's piece for an unknown run is its text; dsprep gives the <unk> piece.
                let unknown = tokenizer.model.unkID
                let pieces = zip(expected.ids, expected.pieces).map { zip($0, $1).map { $0 == unknown ? "<unk>" : $1 } }
                XCTAssertEqual(nbest.map(\.encoding.tokens), pieces, context)
            }
        }
    }

    func testNBestMatchesSentencePiece() throws {
        let byteFallback = try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        try checkNBest(byteFallback, "nbest-adversarial-bytefallback.jsonl")
        try checkNBest(byteFallback, "nbest-reviews-bytefallback.jsonl")
        let shared = try SentencePieceTokenizer.load(path: try TestEnvironment.sharedFile("vocab/nsmc-unigram-16k.model"))
        try checkNBest(shared, "nbest-adversarial-nsmc16k.jsonl")
        try checkNBest(shared, "nbest-reviews-nsmc16k.jsonl")
    }

    // MARK: - Sampling, against enumeration

    /// A small model without normalization rules, so every segmentation is easy to list.
    private let vocabulary: [(String, Float)] = [
        ("▁", -3), ("a", -2), ("b", -2.5), ("c", -3), ("▁a", -2.2), ("ab", -1.8), ("bc", -2.4),
        ("▁ab", -3.1), ("abc", -2.9), ("ca", -1.5),
    ]

    private func smallModel() throws -> SentencePieceTokenizer {
        var proto = SentencePieceModelProto()
        proto.pieces = [SentencePieceModelProto.Piece(bytes: Array("<unk>".utf8), score: 0, type: .unknown)]
            + vocabulary.map { SentencePieceModelProto.Piece(bytes: Array($0.0.utf8), score: $0.1, type: .normal) }
        return try SentencePieceTokenizer(proto: proto, path: "small")
    }

    /// Every segmentation of `characters` into vocabulary pieces (plus the unknown piece for a
    /// character no one-character piece covers), with its score — straight from the spec.
    private func allSegmentations(_ characters: [String]) -> [(pieces: [String], score: Float)] {
        let scores = Dictionary(uniqueKeysWithValues: vocabulary)
        let unknownScore = (vocabulary.map(\.1).min() ?? 0) - 10
        func extend(_ start: Int) -> [(pieces: [String], score: Float)] {
            if start == characters.count { return [([], 0)] }
            var results: [(pieces: [String], score: Float)] = []
            for end in (start + 1)...characters.count {
                let piece = characters[start..<end].joined()
                let score: Float
                if let known = scores[piece] {
                    score = known
                } else if end == start + 1 {
                    score = unknownScore
                } else {
                    continue
                }
                for rest in extend(end) { results.append(([end == start + 1 && scores[piece] == nil ? "<unk>" : piece] + rest.pieces, score + rest.score)) }
            }
            return results
        }
        return extend(0)
    }

    func testSamplingAllSegmentationsFollowsTheirProbabilities() throws {
        let tokenizer = try smallModel()
        let alpha: Float = 0.5
        for text in ["abca", "abc ab"] {
            let characters = tokenizer.normalize(text).normalized.map(String.init)
            let segmentations = allSegmentations(characters)
            XCTAssertGreaterThan(segmentations.count, 8, text)
            let weights = segmentations.map { exp(Double(alpha) * Double($0.score)) }
            let total = weights.reduce(0, +)
            var generator = SeededGenerator(seed: 42)
            var counts: [[String]: Int] = [:]
            let draws = 20_000
            for _ in 0..<draws {
                counts[try tokenizer.sampleEncode(text, nbestSize: -1, alpha: alpha, using: &generator).tokens, default: 0] += 1
            }
            XCTAssertEqual(Set(counts.keys).subtracting(segmentations.map(\.pieces)), [], "\(text): sampled a non-segmentation")
            for (segmentation, weight) in zip(segmentations, weights) {
                let p = weight / total
                let frequency = Double(counts[segmentation.pieces] ?? 0) / Double(draws)
                // Five standard deviations of a binomial proportion.
                let tolerance = 5 * (p * (1 - p) / Double(draws)).squareRoot() + 1e-4
                XCTAssertEqual(frequency, p, accuracy: tolerance, "\(text): \(segmentation.pieces)")
            }
        }
    }

    func testNBestIsTheTopOfTheEnumerationAndSamplingStaysInIt() throws {
        let tokenizer = try smallModel()
        let text = "abca"
        let characters = tokenizer.normalize(text).normalized.map(String.init)
        let ranked = allSegmentations(characters).sorted { $0.score > $1.score }
        let nbest = tokenizer.nbestEncode(text, size: 4)
        XCTAssertEqual(nbest.map(\.encoding.tokens), ranked.prefix(4).map(\.pieces))
        for (found, expected) in zip(nbest, ranked) { XCTAssertEqual(found.score, expected.score, accuracy: 1e-5) }
        XCTAssertEqual(nbest[0].encoding.ids, try tokenizer.encode(text, addSpecialTokens: false).ids)

        // nbest_size 4: only those four, with probability ∝ exp(alpha · score).
        let alpha: Float = 1
        let weights = ranked.prefix(4).map { exp(Double(alpha) * Double($0.score)) }
        var generator = SeededGenerator(seed: 7)
        var counts: [[String]: Int] = [:]
        let draws = 20_000
        for _ in 0..<draws {
            counts[try tokenizer.sampleEncode(text, nbestSize: 4, alpha: alpha, using: &generator).tokens, default: 0] += 1
        }
        XCTAssertEqual(Set(counts.keys), Set(ranked.prefix(4).map(\.pieces)))
        for (segmentation, weight) in zip(ranked.prefix(4), weights) {
            let p = weight / weights.reduce(0, +)
            let frequency = Double(counts[segmentation.pieces] ?? 0) / Double(draws)
            XCTAssertEqual(frequency, p, accuracy: 5 * (p * (1 - p) / Double(draws)).squareRoot() + 1e-4, "\(segmentation.pieces)")
        }
    }

    func testSamplingIsSeededAndChecksItsArguments() throws {
        let tokenizer = try SentencePieceTokenizer.load(path: SentencePieceParityTests.byteFallbackModel)
        let text = "아 더빙.. 진짜 짜증나네요 목소리"
        func samples(seed: UInt64) throws -> [[Int32]] {
            var generator = SeededGenerator(seed: seed)
            return try (0..<20).map { _ in try tokenizer.sampleEncodeIDs(text, nbestSize: -1, alpha: 0.1, using: &generator) }
        }
        XCTAssertEqual(try samples(seed: 1), try samples(seed: 1))
        XCTAssertNotEqual(try samples(seed: 1), try samples(seed: 2))
        // Every sample spells the text back.
        for ids in try samples(seed: 3) { XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), text) }
        var generator = SeededGenerator(seed: 0)
        XCTAssertEqual(try tokenizer.sampleEncodeIDs(text, nbestSize: 1, alpha: 0.1, using: &generator), tokenizer.encodeIDs(text))
        XCTAssertThrowsError(try tokenizer.sampleEncodeIDs(text, nbestSize: 513, alpha: 0.1, using: &generator))
        XCTAssertEqual(try tokenizer.sampleEncodeIDs("", nbestSize: -1, alpha: 0.1, using: &generator), [])
        XCTAssertEqual(tokenizer.nbestEncodeIDs("", size: 3), [[]])
    }
}
