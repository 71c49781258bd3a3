import Dispatch
import Foundation

/// Ordered parallel work: the results come back in index order whatever the thread count, so
/// callers that write them out get the same bytes on one core or many.
public enum Parallel {
    /// `body(0) ... body(count - 1)` on up to `threads` threads; results in index order. When
    /// bodies throw, the error of the lowest index is rethrown.
    public static func map<T>(_ count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              _ body: (Int) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        let slots = Slots<T>(count)
        let next = Counter()
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: min(max(threads, 1), count)) { _ in
                while case let index = next.take(), index < count {
                    slots.set(index, Result { try work.value(index) })
                }
            }
        }
        return try slots.results().map { try $0.get() }
    }

    /// Unchecked Sendable: every access holds `lock`.
    private final class Slots<T>: @unchecked Sendable {
        private var values: [Result<T, Error>?]
        private let lock = NSLock()

        init(_ count: Int) { values = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Result<T, Error>) { lock.withLock { values[index] = value } }

        func results() -> [Result<T, Error>] {
            lock.withLock { values.map { $0 ?? .failure(InputError("internal error: a parallel task produced no result")) } }
        }
    }

    /// Unchecked Sendable: every access holds `lock`.
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func take() -> Int { lock.withLock { value += 1; return value - 1 } }
    }

    /// The work closures and buffers handed to `concurrentPerform`. They capture raw pointers and
    /// mutable state, which Swift cannot prove safe to share; Parallel's contract makes it so:
    /// each index (or row range) writes only its own part, and every task has finished when the
    /// call returns.
    struct UncheckedSendable<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
