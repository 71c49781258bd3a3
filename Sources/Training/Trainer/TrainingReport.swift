import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a person watching a run sees: a one-line progress display on stderr (step, loss, learning
/// rate, samples/s, ETA; only on a terminal), a metrics table on stdout after each evaluation,
/// and `metrics.jsonl` (one log_history entry per line) in the output directory.
final class TrainingReport {
    static let metricsFile = "metrics.jsonl"

    private let print: (String) -> Void
    private let showProgress: Bool
    private let metricsPath: String
    private var lastDraw = Date.distantPast

    init(outputDir: String, quiet: Bool, print: @escaping (String) -> Void) {
        self.print = print
        showProgress = !quiet && isatty(STDERR_FILENO) == 1
        metricsPath = outputDir + "/" + Self.metricsFile
    }

    func message(_ text: String) { print(text) }

    func progress(step: Int, totalSteps: Int, epoch: Double, loss: Float, learningRate: Float, samplesPerSecond: Double,
                  secondsLeft: Double) {
        guard showProgress else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 || step == totalSteps else { return }
        lastDraw = now
        let width = 20, filled = Int(Double(width) * Double(step) / Double(max(totalSteps, 1)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: max(width - filled, 0))
        let left = Int(secondsLeft.isFinite ? max(secondsLeft, 0) : 0)
        let line = String(format: "\r[%@] step %d/%d epoch %.2f loss %.4f lr %.2e %.0f samples/s ETA %d:%02d  ",
                          bar, step, totalSteps, epoch, loss, learningRate, samplesPerSecond, left / 60, left % 60)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func endProgressLine() {
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Appends one entry to metrics.jsonl.
    func record(_ entry: [String: Double]) throws {
        let line = Data((MetricsJSON.line(entry) + "\n").utf8)
        if let handle = FileHandle(forWritingAtPath: metricsPath) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: URL(fileURLWithPath: metricsPath))
        }
    }

    /// The evaluation as a two-column table; the best-model metric is marked when it improved.
    func table(step: Int, epoch: Double, metrics: [String: Double], best: (name: String, isNewBest: Bool)) {
        endProgressLine()
        let names = metrics.keys.sorted()
        let width = max(names.map(\.count).max() ?? 0, 6)
        var lines = [String(format: "eval at step %d (epoch %.2f)", step, epoch)]
        for name in names {
            let value = metrics[name] ?? .nan
            let mark = name == best.name && best.isNewBest ? "  ← new best" : ""
            lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %.4f", value) + mark)
        }
        print(lines.joined(separator: "\n"))
    }
}
