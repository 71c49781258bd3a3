import Dispatch
import Foundation

extension Tokenizer {
    /// Encodes many texts on all cores; results are in input order. Padding (batch-longest or
    /// fixed) is applied over the whole batch, as HF's `encode_batch` does.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) throws -> [Encoding] {
        var results = [Encoding](repeating: Encoding(), count: texts.count)
        try Tokenizer.parallelChunks(count: texts.count) { range, _ in
            var scratch = Scratch()
            var local: [Encoding] = []
            local.reserveCapacity(range.count)
            for index in range {
                var first = try encodeSequence(texts[index], typeID: 0, scratch: &scratch)
                var second: Encoding? = nil
                local.append(try postProcess(&first, &second, addSpecialTokens: addSpecialTokens, pad: false))
            }
            return local
        } collect: { range, local in
            results.replaceSubrange(range, with: local)
        }
        if let padding { padding.apply(&results) }
        return results
    }

    /// Runs `work` over chunks of 0..<count on all cores; `collect` receives each chunk's result
    /// (serialized, in any order). The first error thrown stops the batch and is rethrown.
    static func parallelChunks<T>(count: Int, chunkSize: Int = 512, _ work: @escaping (Range<Int>, Int) throws -> T,
                                  collect: (Range<Int>, T) -> Void) throws {
        guard count > 0 else { return }
        let chunks = (count + chunkSize - 1) / chunkSize
        let box = ChunkResults<T>(chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * chunkSize..<min(count, (chunk + 1) * chunkSize)
            do { box.set(chunk, .success(try work(range, chunk))) } catch { box.set(chunk, .failure(error)) }
        }
        for chunk in 0..<chunks {
            let range = chunk * chunkSize..<min(count, (chunk + 1) * chunkSize)
            switch box.take(chunk) {
            case let .success(value): collect(range, value)
            case let .failure(error): throw error
            case nil: break
            }
        }
    }
}

/// Per-chunk results written by worker threads (each slot by exactly one worker).
final class ChunkResults<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = NSLock()

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<T, Error>) {
        lock.withLock { slots[index] = value }
    }

    func take(_ index: Int) -> Result<T, Error>? {
        lock.withLock {
            let value = slots[index]
            slots[index] = nil
            return value
        }
    }
}
