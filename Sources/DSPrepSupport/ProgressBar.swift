import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on stderr: count, rate and ETA. Silent when stderr is not a terminal
/// or when quiet, so logs and pipes stay clean. Redraws at most ten times a second. With
/// `DSPREP_PROGRESS=lines` it writes a plain line a second instead, terminal or not, for a
/// launcher to read (dsprep-ray shows each shard's progress on the driver).
/// Unchecked Sendable: its mutable state is read and written only under `lock`.
public final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let total: Int?
    private let unit: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var current = 0
    private let lock = NSLock()

    public init(_ label: String, total: Int? = nil, unit: String = "rows", quiet: Bool = false) {
        self.label = label
        self.total = total
        self.unit = unit
        lines = ProcessInfo.processInfo.environment["DSPREP_PROGRESS"] == "lines"
        enabled = !quiet && (lines || isatty(STDERR_FILENO) == 1)
    }

    private let lines: Bool

    public func advance(by amount: Int) { update(to: nil, adding: amount) }

    public func update(to value: Int) { update(to: value, adding: 0) }

    private func update(to value: Int?, adding amount: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        current = value ?? current + amount
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= (lines ? 1 : 0.1) else { return }
        lastDraw = now
        draw(now: now)
    }

    /// Draws the final state and moves to a new line.
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        draw(now: Date())
        if !lines { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw(now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(current) / elapsed
        var line = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(1, Double(current) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(current)/\(total) \(unit)"
            if rate > 0 { line += " ETA \(Self.duration(Double(total - current) / rate))" }
        } else {
            line += "\(current) \(unit)"
        }
        line += String(format: " %.0f %@/s  ", rate, unit)
        FileHandle.standardError.write(Data((lines ? line.dropFirst() + "\n" : line[...]).utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
