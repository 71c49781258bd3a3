import Foundation

/// Learning-rate schedules with warmup, as HF transformers' `get_scheduler` defines them
/// (`optimization.py`). `multiplier(step:)` is the LambdaLR factor for the update that follows
/// `step` completed updates (so with warmup the very first update uses factor 0, as in HF).
public struct Schedule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// 1 after warmup (HF `constant_with_warmup`; with no warmup, `constant`).
        case constant
        /// linear decay to 0 at `totalSteps`.
        case linear
        /// half a cosine wave from 1 to 0 (HF `num_cycles` = 0.5).
        case cosine
        /// `cycles` cosine decays, each restarting at 1 (HF `num_cycles` = 1 by default).
        case cosineWithRestarts = "cosine_with_restarts"
    }

    public var kind: Kind
    public var warmupSteps: Int
    public var totalSteps: Int
    /// Cosine cycles: 0.5 for `cosine`, the number of restarts for `cosineWithRestarts`.
    public var cycles: Double

    public init(kind: Kind, warmupSteps: Int = 0, totalSteps: Int, cycles: Double? = nil) {
        self.kind = kind
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.cycles = cycles ?? (kind == .cosine ? 0.5 : 1)
    }

    /// Warmup given as a fraction of training: ⌈ratio · total⌉ steps (HF `get_warmup_steps`).
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int {
        Int((ratio * Double(totalSteps)).rounded(.up))
    }

    public func multiplier(step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(max(1, warmupSteps)) }
        let progress = Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
        switch kind {
        case .constant:
            return 1
        case .linear:
            return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
        case .cosine:
            return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
        case .cosineWithRestarts:
            if progress >= 1 { return 0 }
            return max(0, 0.5 * (1 + cos(Double.pi * (cycles * progress).truncatingRemainder(dividingBy: 1))))
        }
    }

    public func learningRate(base: Float, step: Int) -> Float { Float(Double(base) * multiplier(step: step)) }
}
