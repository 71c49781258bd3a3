import Foundation

/// Per-thread scratch memory for encoding: the normalized bytes, their offsets back to the
/// input, the Viterbi table and the segmentation. Reused across documents so encoding allocates
/// only its outputs. One workspace must not be used by two threads at once.
public final class SentencePieceWorkspace {
    let normalized = ScratchBuffer<UInt8>(capacity: 1024)
    let normToOrig = ScratchBuffer<Int32>(capacity: 1024)
    let bestPath = ScratchBuffer<UnigramModel.BestPathNode<Float>>(capacity: 1024)
    let segments = ScratchBuffer<UnigramModel.Segment>(capacity: 256)
    /// Output pieces: id and byte range in the original input.
    let output = ScratchBuffer<SentencePieceTokenizer.EncodedPiece>(capacity: 256)

    public init() {}
}

/// Workspaces for callers that do not bring their own (the `TextTokenizer` API): take one,
/// encode, give it back. The lock is held only to pop or push.
/// Unchecked Sendable: the free list is touched only under its lock.
final class SentencePieceWorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [SentencePieceWorkspace] = []

    func withWorkspace<T>(_ body: (SentencePieceWorkspace) throws -> T) rethrows -> T {
        lock.lock()
        let workspace = free.popLast() ?? SentencePieceWorkspace()
        lock.unlock()
        defer {
            lock.lock()
            if free.count < 64 { free.append(workspace) }
            lock.unlock()
        }
        return try body(workspace)
    }
}
