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
        return decay(progress: Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps)))
    }

    /// The factor after warmup at `progress` of the decay: 0 where warmup ends, 1 at the end of
    /// training (a step count, or a time budget: `TimeBudgetSchedule`).
    public func decay(progress: Double) -> Double {
        switch kind {
        case .constant:
            return 1
        case .linear:
            return max(0, 1 - progress)
        case .cosine:
            return max(0, 0.5 * (1 + cos(Double.pi * cycles * 2 * progress)))
        case .cosineWithRestarts:
            if progress >= 1 { return 0 }
            return max(0, 0.5 * (1 + cos(Double.pi * (cycles * progress).truncatingRemainder(dividingBy: 1))))
        }
    }

    public func learningRate(base: Float, step: Int) -> Float { Float(Double(base) * multiplier(step: step)) }
}

/// A schedule run on the clock (`--max-time` with a decaying schedule): the decay's progress is
/// the share of the time budget used, so the learning rate reaches its end value at the deadline
/// instead of being cut off mid-schedule at a guessed step count. A warmup ratio is a share of the
/// budget (not of the step count the schedule was sized to); warmup given in steps stays in steps,
/// and the decay then spans the time left after it.
public struct TimeBudgetSchedule: Sendable {
    public var schedule: Schedule
    public var budget: TimeInterval
    /// Warmup as a share of the budget (warmup_ratio); when above 0 it replaces the schedule's warmup steps.
    public var warmupShare: Double
    /// Seconds into the run when the decay began (when warmup by steps ended; set by `multiplier`).
    private var decayStart: TimeInterval?

    public init(schedule: Schedule, budget: TimeInterval, warmupShare: Double) {
        var schedule = schedule
        if warmupShare > 0 { schedule.warmupSteps = 0 }
        self.schedule = schedule
        self.budget = budget
        self.warmupShare = warmupShare
    }

    /// The factor for the update after `step` completed updates, `elapsed` seconds into the run.
    /// Training's progress is the share of the budget or of the steps used, whichever is further,
    /// so a run whose steps end long before the deadline still warms up and decays in full.
    public mutating func multiplier(step: Int, elapsed: TimeInterval) -> Double {
        if warmupShare > 0 {
            let progress = min(1, max(elapsed / budget, Double(step) / Double(max(1, schedule.totalSteps))))
            if progress < warmupShare { return progress / warmupShare }
            return schedule.decay(progress: (progress - warmupShare) / (1 - warmupShare))
        }
        if step < schedule.warmupSteps { return schedule.multiplier(step: step) }
        let start = decayStart ?? (schedule.warmupSteps > 0 ? elapsed : 0)
        decayStart = start
        let byTime = (elapsed - start) / max(budget - start, .leastNonzeroMagnitude)
        let byStep = Double(step - schedule.warmupSteps) / Double(max(1, schedule.totalSteps - schedule.warmupSteps))
        return schedule.decay(progress: min(1, max(byTime, byStep)))
    }
}
