import XCTest
@testable import Training

final class CollatorTests: XCTestCase {
    func testDynamicPaddingMaskTypesAndLabels() throws {
        let ids = TokenRowArray([[2, 5, 3], [2, 7, 8, 9, 3], [2, 3]])
        let types = TokenRowArray([[0, 0, 0], [0, 0, 1, 1, 1], [0, 0]])
        let batch = try Collator(padTokenId: 0).collate(rows: [2, 0], inputIds: ids, tokenTypeIds: types,
                                                        labels: .classes([1, 0, 2]))
        XCTAssertEqual(batch.size, 2)
        XCTAssertEqual(batch.length, 3)  // the longest of the chosen rows, not of the dataset
        XCTAssertEqual(batch.inputIds, [2, 3, 0, 2, 5, 3])
        XCTAssertEqual(batch.attentionMask, [1, 1, 0, 1, 1, 1])
        XCTAssertEqual(batch.tokenTypeIds, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(batch.labels, .classes([2, 1]))

        let rounded = try Collator(padTokenId: 1, padToMultipleOf: 4).collate(
            rows: [1], inputIds: ids, tokenTypeIds: types, labels: .values([0.5, 1.5, 2.5]))
        XCTAssertEqual(rounded.length, 8)
        XCTAssertEqual(rounded.inputIds, [2, 7, 8, 9, 3, 1, 1, 1])
        XCTAssertEqual(rounded.tokenTypeIds, [0, 0, 1, 1, 1, 0, 0, 0])
        XCTAssertEqual(rounded.labels, .values([1.5]))

        let noTypes: TokenRowArray? = nil
        XCTAssertNil(try Collator().collate(rows: [0], inputIds: ids, tokenTypeIds: noTypes, labels: nil).tokenTypeIds)
        XCTAssertThrowsError(try Collator(maxLength: 4).collate(rows: [1], inputIds: ids, tokenTypeIds: noTypes, labels: nil))
        XCTAssertThrowsError(try Collator().collate(rows: [3], inputIds: ids, tokenTypeIds: noTypes, labels: nil))
        XCTAssertThrowsError(try Collator().collate(rows: [0], inputIds: ids, tokenTypeIds: TokenRowArray([[0], [0], [0]]), labels: nil))
    }

    /// A bi-encoder's rows are two sequences: the first texts, then the second, all padded to the
    /// longest of both; labels stay one per row.
    func testSeparatelyEncodedPairsBecomeTwoSequencesPerRow() throws {
        let ids = TokenRowArray([[2, 5, 3], [2, 7, 8, 9, 3], [2, 3]]), pairs = TokenRowArray([[2, 6, 6, 6, 6, 3], [2, 4, 3], [2, 9, 3]])
        let noTypes: TokenRowArray? = nil
        let batch = try Collator(padTokenId: 1).collate(rows: [2, 0], inputIds: ids, tokenTypeIds: noTypes, labels: .values([0.5, 1.5, 2.5]),
                                                        pairInputIds: pairs)
        XCTAssertEqual(batch.size, 2)
        XCTAssertEqual(batch.sequencesPerRow, 2)
        XCTAssertEqual(batch.length, 6)  // row 0's second text
        XCTAssertEqual(batch.inputIds, [2, 3, 1, 1, 1, 1, 2, 5, 3, 1, 1, 1, 2, 9, 3, 1, 1, 1, 2, 6, 6, 6, 6, 3])
        XCTAssertEqual(batch.attentionMask, [1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(batch.labels, .values([2.5, 0.5]))
        XCTAssertThrowsError(try Collator(maxLength: 5).collate(rows: [0], inputIds: ids, tokenTypeIds: noTypes, labels: nil, pairInputIds: pairs))
        XCTAssertThrowsError(try Collator().collate(rows: [1], inputIds: ids, tokenTypeIds: noTypes, labels: nil, pairInputIds: TokenRowArray([[2]])))
    }

    /// Every other list column is padded with its own value to its own longest chosen row,
    /// rounded to the same multiple as the tokens (HF's collator leaves such columns ragged).
    func testExtraListColumnsArePaddedWithTheirOwnValues() throws {
        let ids = TokenRowArray([[2, 5, 3], [2, 7, 8, 9, 3], [2, 3]])
        let noTypes: TokenRowArray? = nil
        let collator = Collator(padTokenId: 0)
        let tokenLabels = Collator.ListColumn(name: "labels", rows: TokenRowArray([[-100, 4, -100], [-100, 1, 1, 2, -100], [-100, -100]]),
                                              padValue: collator.defaultPadValue(forColumn: "labels"))
        let special = Collator.ListColumn(name: "special_tokens_mask", rows: TokenRowArray([[1, 0, 1], [1, 0, 0, 0, 1], [1, 1]]),
                                          padValue: collator.defaultPadValue(forColumn: "special_tokens_mask"))
        let target = Collator.ListColumn(name: "target_ids", rows: TokenRowArray([[9], [8, 8, 8, 8, 8, 8, 8], [7, 7]]), padValue: 0)
        let batch = try collator.collate(rows: [2, 0], inputIds: ids, tokenTypeIds: noTypes, labels: nil,
                                         extraColumns: [tokenLabels, special, target])
        XCTAssertEqual(batch.extraColumns["labels"], Batch.PaddedColumn(width: 3, values: [-100, -100, -100, -100, 4, -100]))
        XCTAssertEqual(batch.extraColumns["special_tokens_mask"], Batch.PaddedColumn(width: 3, values: [1, 1, 1, 1, 0, 1]))
        XCTAssertEqual(batch.extraColumns["target_ids"], Batch.PaddedColumn(width: 2, values: [7, 7, 9, 0]))

        let rounded = try Collator(padTokenId: 0, padToMultipleOf: 4).collate(
            rows: [1], inputIds: ids, tokenTypeIds: noTypes, labels: nil, extraColumns: [target])
        XCTAssertEqual(rounded.extraColumns["target_ids"], Batch.PaddedColumn(width: 8, values: [8, 8, 8, 8, 8, 8, 8, 0]))

        XCTAssertEqual(collator.defaultPadValue(forColumn: "input_ids"), 0)
        XCTAssertEqual(Collator(padTokenId: 1).defaultPadValue(forColumn: "input_ids"), 1)
        XCTAssertEqual(collator.defaultPadValue(forColumn: "offsets"), 0)
        let short = Collator.ListColumn(name: "short", rows: TokenRowArray([[1]]), padValue: 0)
        XCTAssertThrowsError(try collator.collate(rows: [2], inputIds: ids, tokenTypeIds: noTypes, labels: nil, extraColumns: [short]))
        XCTAssertThrowsError(try collator.collate(rows: [0], inputIds: ids, tokenTypeIds: noTypes, labels: nil, extraColumns: [target, target]))
    }

    /// HF LengthGroupedSampler's contract: a permutation; within each megabatch lengths do not
    /// increase after its head; the longest row of all comes first; the same seed gives the same order.
    func testLengthGroupedOrder() {
        let lengths = (0..<1000).map { ($0 * 7919) % 97 + 1 }
        let batchSize = 8
        let batches = BatchOrder.lengthGrouped(lengths: lengths, batchSize: batchSize, seed: 3)
        let flat = batches.flatMap { $0 }
        XCTAssertEqual(flat.sorted(), Array(0..<1000))
        XCTAssertTrue(batches.dropLast().allSatisfy { $0.count == batchSize })
        XCTAssertEqual(lengths[flat[0]], lengths.max())
        let megabatch = min(1000 / (batchSize * 4), 50) * batchSize  // 31 × 8
        for start in stride(from: 0, to: flat.count, by: megabatch) {
            let lengthsInMegabatch = flat[start..<min(start + megabatch, flat.count)].map { lengths[$0] }
            // sorted after the head (heads of the first and the longest megabatch may be swapped)
            let body = Array(lengthsInMegabatch.dropFirst())
            XCTAssertEqual(body, body.sorted(by: >), "megabatch at \(start)")
        }
        XCTAssertEqual(BatchOrder.lengthGrouped(lengths: lengths, batchSize: batchSize, seed: 3), batches)
        XCTAssertNotEqual(BatchOrder.lengthGrouped(lengths: lengths, batchSize: batchSize, seed: 4), batches)
        // Padding: summed batch maxima are far below those of a plain shuffle.
        func padded(_ order: [[Int]]) -> Int { order.map { $0.map { lengths[$0] }.max()! * $0.count }.reduce(0, +) }
        XCTAssertLessThan(padded(batches), padded(BatchOrder.shuffled(rowCount: 1000, batchSize: batchSize, seed: 3)) * 3 / 4)
    }
}
