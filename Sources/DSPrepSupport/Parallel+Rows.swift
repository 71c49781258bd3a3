import Dispatch
import Foundation

/// Row loops split across cores (the trainer's kernels). Every row is computed by exactly one
/// task with the same code as a serial loop, so results do not depend on the number of threads;
/// reductions across rows add fixed-size chunks' partial sums in chunk order (`sum`).
extension Parallel {
    /// Rows below this much work (rows × cost) run on the calling thread: a dispatch costs ~µs.
    static let minimumWorkPerTask = 32 * 1024

    /// Calls `body` on disjoint ranges covering 0..<count, in parallel when `count × costPerRow`
    /// is large enough to pay for it.
    public static func forRows(_ count: Int, costPerRow: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let total = count * max(costPerRow, 1)
        let tasks = min(max(total / minimumWorkPerTask, 1), processorCount * 4, count)
        if tasks <= 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                let start = count * task / tasks
                let end = count * (task + 1) / tasks
                if start < end { work.value(start..<end) }
            }
        }
    }

    /// Runs `body(0)`, …, `body(count − 1)` as separate tasks in parallel, for work already cut into
    /// pieces (GEMM blocks, attention's (sequence, head) units); idle cores take the next piece.
    public static func tasks(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
        }
    }

    /// Sums `partial(range)` over fixed-size chunks of 0..<count, in chunk order: the same
    /// Double result on any machine, whatever the number of cores.
    public static func sum(_ count: Int, chunk: Int = 16 * 1024, _ partial: (Range<Int>) -> Double) -> Double {
        let chunks = (count + chunk - 1) / chunk
        if chunks <= 1 { return count > 0 ? partial(0..<count) : 0 }
        var sums = [Double](repeating: 0, count: chunks)
        sums.withUnsafeMutableBufferPointer { out in
            withoutActuallyEscaping(partial) { partial in
                let work = UncheckedSendable((partial: partial, out: out))
                DispatchQueue.concurrentPerform(iterations: chunks) { index in
                    work.value.out[index] = work.value.partial(index * chunk..<min(count, (index + 1) * chunk))
                }
            }
        }
        return sums.reduce(0, +)
    }

    public static let processorCount = max(ProcessInfo.processInfo.activeProcessorCount, 1)
}
