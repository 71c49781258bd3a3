import Foundation
import XCTest
@testable import Training

final class OptimizerTests: XCTestCase {
    func testParameterStoreLayoutAndInitialization() {
        let store = ParameterStore(specs: [.weight("w", [3, 4])] + ParameterSpec.layerNorm("ln", 4) + [.bias("b", 2)])
        XCTAssertEqual(store.offsets, [0, 12, 16, 20])
        XCTAssertEqual(store.count, 22)
        XCTAssertEqual(store.index(of: "ln.bias"), 2)
        store.initialize(seed: 42)
        XCTAssertEqual(Array(store.values.buffer[12..<16]), [1, 1, 1, 1])
        XCTAssertEqual(Array(store.values.buffer[16..<22]), [0, 0, 0, 0, 0, 0])
        XCTAssertTrue(store.values.buffer[0..<12].allSatisfy { $0 != 0 && abs($0) < 0.2 })
        let again = ParameterStore(specs: store.specs)
        again.initialize(seed: 42)
        XCTAssertEqual(again.values.toArray(), store.values.toArray())
    }

    /// Normal initializer: mean ≈ 0 and standard deviation ≈ std over many draws.
    func testNormalInitializerMoments() {
        let store = ParameterStore(specs: [.weight("w", [200, 500], std: 0.02)])
        store.initialize(seed: 1)
        let values = store.values.toArray().map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 3e-4)
        XCTAssertEqual(sd, 0.02, accuracy: 3e-4)
    }

    /// Two AdamW steps against PyTorch's documented algorithm evaluated in Double by hand; the
    /// bias (no decay group) is not decayed.
    func testAdamWMatchesTheAlgorithm() {
        let store = ParameterStore(specs: [.weight("w", [2]), .bias("b", 1)])
        let start: [Float] = [1, -2, 0.5]
        for i in 0..<3 { store.values[i] = start[i] }
        let config = AdamW.Configuration(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)
        let optimizer = AdamW(parameters: store, configuration: config)
        let gradients: [[Float]] = [[0.5, -0.25, 2], [-1, 0.75, 0.1]]
        let rates: [Float] = [0.1, 0.05]
        var p = start.map(Double.init), m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, g) in gradients.enumerated() {
            for i in 0..<3 { store.grads[i] = g[i] }
            optimizer.update(learningRate: rates[t])
            let lr = Double(rates[t]), step = Double(t + 1)
            for i in 0..<3 {
                let gi = Double(g[i])
                if i < 2 { p[i] -= lr * 0.01 * p[i] }
                m[i] = 0.9 * m[i] + 0.1 * gi
                v[i] = 0.999 * v[i] + 0.001 * gi * gi
                let mHat = m[i] / (1 - pow(0.9, step)), vHat = v[i] / (1 - pow(0.999, step))
                p[i] -= lr * mHat / (vHat.squareRoot() + 1e-8)
            }
            for i in 0..<3 { XCTAssertEqual(Double(store.values[i]), p[i], accuracy: 1e-6, "step \(t + 1) param \(i)") }
        }
        XCTAssertEqual(optimizer.step, 2)
    }

    /// The clipping factor folded into the update equals scaling the gradients first, bit for bit,
    /// on spans long enough to use both the 8-lane and the scalar path.
    func testGradientScaleFoldedIntoTheUpdate() {
        let specs: [ParameterSpec] = [.weight("w", [5, 7]), .bias("b", 11)]
        let folded = ParameterStore(specs: specs), separate = ParameterStore(specs: specs)
        folded.initialize(seed: 1); separate.initialize(seed: 1)
        for i in 0..<folded.count { folded.grads[i] = Float(i % 9) - 4; separate.grads[i] = (Float(i % 9) - 4) * 0.25 }
        let a = AdamW(parameters: folded, configuration: .init(weightDecay: 0.1))
        let b = AdamW(parameters: separate, configuration: .init(weightDecay: 0.1))
        a.update(learningRate: 0.01, gradientScale: 0.25)
        b.update(learningRate: 0.01)
        XCTAssertEqual(folded.values.toArray(), separate.values.toArray())
        XCTAssertEqual(a.m.toArray(), b.m.toArray())
        XCTAssertEqual(a.v.toArray(), b.v.toArray())
    }

    /// Rows get slots in order of first appearance; later batches add into the same slots; clear
    /// forgets them; growing the slot buffer keeps what it holds.
    func testRowSparseGradientSlots() {
        let gradient = RowSparseGradient(rows: 10, width: 2)
        let ids: [Int32] = [7, 3, 7, 0]
        XCTAssertEqual(ids.withUnsafeBufferPointer { gradient.slots(for: $0.baseAddress!, count: 4) }, [0, 1, 0, 2])
        for i in 0..<6 { gradient.values[i] = Float(i + 1) }
        let more: [Int32] = [3, 9, 1, 2, 4, 5, 6, 8]
        XCTAssertEqual(more.withUnsafeBufferPointer { gradient.slots(for: $0.baseAddress!, count: 8) }, [1, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(gradient.touchedRows, [7, 3, 0, 9, 1, 2, 4, 5, 6, 8])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: gradient.values, count: 8)), [1, 2, 3, 4, 5, 6, 0, 0])
        let dense = gradient.dense()
        XCTAssertEqual(Array(dense[14..<16]), [1, 2])
        XCTAssertEqual(Array(dense[6..<8]), [3, 4])
        XCTAssertEqual(Array(dense[0..<2]), [5, 6])
        XCTAssertEqual(gradient.sumOfSquares(), 91)
        gradient.clear()
        XCTAssertEqual(gradient.slotCount, 0)
        XCTAssertNil(gradient.slot(ofRow: 7))
        XCTAssertEqual(gradient.dense(), [Float](repeating: 0, count: 20))
        XCTAssertEqual(more.withUnsafeBufferPointer { gradient.slots(for: $0.baseAddress! + 1, count: 1) }, [0])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: gradient.values, count: 2)), [0, 0], "a new slot starts at zero")
    }

    func testGradientClippingByGlobalNorm() {
        let grads = FloatBuffer(count: 2)
        grads[0] = 3; grads[1] = 4
        XCTAssertEqual(GradientClipping.clip(grads, maxNorm: 10), 5)
        XCTAssertEqual(grads.toArray(), [3, 4])
        XCTAssertEqual(GradientClipping.clip(grads, maxNorm: 1), 5)
        XCTAssertEqual(grads[0], 3 / (5 + 1e-6), accuracy: 1e-6)
        XCTAssertEqual(grads[1], 4 / (5 + 1e-6), accuracy: 1e-6)
        XCTAssertEqual(GradientClipping.scale(norm: 5, maxNorm: 0), 1)
        XCTAssertEqual(GradientClipping.scale(norm: 0.5, maxNorm: 1), 1)
    }

    /// Values from the formulas of HF `get_scheduler` (optimization.py), worked by hand.
    func testSchedules() {
        let linear = Schedule(kind: .linear, warmupSteps: 10, totalSteps: 100)
        XCTAssertEqual(linear.multiplier(step: 0), 0)
        XCTAssertEqual(linear.multiplier(step: 5), 0.5)
        XCTAssertEqual(linear.multiplier(step: 10), 1)
        XCTAssertEqual(linear.multiplier(step: 55), 0.5)
        XCTAssertEqual(linear.multiplier(step: 100), 0)
        XCTAssertEqual(linear.multiplier(step: 120), 0)

        let constant = Schedule(kind: .constant, warmupSteps: 4, totalSteps: 100)
        XCTAssertEqual([0, 1, 4, 99].map { constant.multiplier(step: $0) }, [0, 0.25, 1, 1])
        XCTAssertEqual(Schedule(kind: .constant, totalSteps: 10).multiplier(step: 0), 1)

        let cosine = Schedule(kind: .cosine, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(cosine.multiplier(step: 10), 1, accuracy: 1e-12)
        XCTAssertEqual(cosine.multiplier(step: 60), 0.5, accuracy: 1e-12)       // progress ½: ½(1+cos(π/2))
        XCTAssertEqual(cosine.multiplier(step: 35), 0.5 * (1 + cos(Double.pi / 4)), accuracy: 1e-12)
        XCTAssertEqual(cosine.multiplier(step: 110), 0, accuracy: 1e-12)

        let restarts = Schedule(kind: .cosineWithRestarts, warmupSteps: 0, totalSteps: 100, cycles: 2)
        XCTAssertEqual(restarts.multiplier(step: 0), 1, accuracy: 1e-12)
        XCTAssertEqual(restarts.multiplier(step: 25), 0.5, accuracy: 1e-12)     // (2·¼) mod 1 = ½
        XCTAssertEqual(restarts.multiplier(step: 50), 1, accuracy: 1e-12)       // restart
        XCTAssertEqual(restarts.multiplier(step: 60), 0.5 * (1 + cos(Double.pi * 0.2)), accuracy: 1e-12)
        XCTAssertEqual(restarts.multiplier(step: 100), 0)
        XCTAssertEqual(Schedule(kind: .cosineWithRestarts, totalSteps: 10).cycles, 1)

        XCTAssertEqual(Schedule.warmupSteps(ratio: 0.06, totalSteps: 1000), 60)
        XCTAssertEqual(Schedule.warmupSteps(ratio: 0.1, totalSteps: 15), 2)       // ⌈1.5⌉
        XCTAssertEqual(linear.learningRate(base: 2e-4, step: 5), 1e-4, accuracy: 1e-12)
    }

    /// Values derived by hand from `TimeBudgetSchedule`'s definition: the decay's progress is the
    /// share of the time budget used (after warmup), or of the steps if those run out first.
    func testTimeBudgetSchedule() {
        // Linear, 100 s, no warmup, a step horizon far away.
        var plain = TimeBudgetSchedule(schedule: Schedule(kind: .linear, totalSteps: 1_000_000), budget: 100, warmupShare: 0)
        XCTAssertEqual(plain.multiplier(step: 0, elapsed: 0), 1)
        XCTAssertEqual(plain.multiplier(step: 3, elapsed: 25), 0.75, accuracy: 1e-12)
        XCTAssertEqual(plain.multiplier(step: 9, elapsed: 100), 0)
        XCTAssertEqual(plain.multiplier(step: 10, elapsed: 130), 0)

        // The step horizon ends first: step 8 of 10 at 10 s of 100 s → progress 0.8.
        var fewSteps = TimeBudgetSchedule(schedule: Schedule(kind: .linear, totalSteps: 10), budget: 100, warmupShare: 0)
        XCTAssertEqual(fewSteps.multiplier(step: 8, elapsed: 10), 0.2, accuracy: 1e-12)

        // Warmup as 10% of the budget: up over 0–10 s, then decay over the 90 s left, even though the
        // schedule was sized with 0.1 of its (far) step count as warmup steps.
        var share = TimeBudgetSchedule(schedule: Schedule(kind: .linear, warmupSteps: 100_000, totalSteps: 1_000_000), budget: 100,
                                       warmupShare: 0.1)
        XCTAssertEqual(share.multiplier(step: 1, elapsed: 5), 0.5, accuracy: 1e-12)
        XCTAssertEqual(share.multiplier(step: 9, elapsed: 55), 0.5, accuracy: 1e-12)
        // A run whose 10 steps end long before the deadline warms up and decays on its steps:
        // step 5 of 10 at 1 s is progress ½ → decay at (½ − 0.1) / 0.9.
        var quick = TimeBudgetSchedule(schedule: Schedule(kind: .linear, warmupSteps: 1, totalSteps: 10), budget: 600, warmupShare: 0.1)
        XCTAssertEqual(quick.multiplier(step: 0, elapsed: 0), 0)
        XCTAssertEqual(quick.multiplier(step: 5, elapsed: 1), 1 - 0.4 / 0.9, accuracy: 1e-12)

        // Warmup in steps stays in steps; the decay spans the time left after the step it ended at.
        var steps = TimeBudgetSchedule(schedule: Schedule(kind: .cosine, warmupSteps: 2, totalSteps: 1_000_000), budget: 100,
                                       warmupShare: 0)
        XCTAssertEqual(steps.multiplier(step: 0, elapsed: 0), 0)
        XCTAssertEqual(steps.multiplier(step: 1, elapsed: 10), 0.5)
        XCTAssertEqual(steps.multiplier(step: 2, elapsed: 20), 1, accuracy: 1e-12)
        XCTAssertEqual(steps.multiplier(step: 5, elapsed: 60), 0.5, accuracy: 1e-12)   // cosine at progress ½
        XCTAssertEqual(steps.multiplier(step: 9, elapsed: 100), 0, accuracy: 1e-12)
    }
}
