import XCTest
@testable import Training

/// A buffer under test: its values and the gradient the layer's backward accumulates for it.
struct Checked {
    var name: String
    var value: UnsafeMutablePointer<Float>
    var count: Int
    /// the accumulated gradient, dense
    var gradient: () -> [Float]
    /// sets the gradient to zero
    var zero: () -> Void

    init(name: String, value: FloatBuffer, grad: FloatBuffer) {
        self.init(name: name, value: value.pointer, count: value.count, gradient: { grad.toArray() }, zero: { grad.zero() })
    }

    /// A table whose gradient is row-sparse.
    init(name: String, value: FloatBuffer, grad: RowSparseGradient) {
        self.init(name: name, value: value.pointer, count: value.count, gradient: { grad.dense() }, zero: { grad.clear() })
    }

    init(name: String, value: UnsafeMutablePointer<Float>, count: Int, gradient: @escaping () -> [Float], zero: @escaping () -> Void) {
        self.name = name
        self.value = value
        self.count = count
        self.gradient = gradient
        self.zero = zero
    }

    /// Every parameter of a store, by name.
    static func all(_ store: ParameterStore) -> [Checked] {
        store.specs.indices.map { index in
            Checked(name: store.specs[index].name, value: store.value(index), count: store.specs[index].count,
                    gradient: { store.gradient(index) }, zero: store.zeroGrads)
        }
    }
}

/// A buffer of uniform values in [-scale, scale), seeded.
func randomBuffer(_ count: Int, seed: UInt64, scale: Float = 1) -> FloatBuffer {
    let buffer = FloatBuffer(count: count)
    let random = CounterRandom(seed: seed)
    for i in 0..<count { buffer[i] = (random.uniform(stream: 1, index: UInt64(i)) * 2 - 1) * scale }
    return buffer
}

/// Σ out·weights in Double: the scalar whose gradient is checked (dout = weights).
func weightedSum(_ out: UnsafePointer<Float>, _ weights: FloatBuffer) -> Double {
    var sum = 0.0
    for i in 0..<weights.count { sum += Double(out[i]) * Double(weights[i]) }
    return sum
}

/// Central finite differences of `loss` against the analytic gradients `backward` accumulates:
/// every element when small, else `samples` spread-out elements per buffer. Float32 forward
/// passes, so epsilon is 1e-2 and the tolerance 1e-3 + 2e-2·|g| (smooth layers only).
func checkGradients(
    _ checked: [Checked], samples: Int = 40, epsilon: Float = 1e-2, tolerance: Double = 2e-2,
    file: StaticString = #filePath, line: UInt = #line,
    loss: () -> Double, backward: () -> Void
) {
    for item in checked { item.zero() }
    _ = loss()
    backward()
    for item in checked {
        let gradient = item.gradient()
        let stride = max(1, item.count / samples)
        for i in Swift.stride(from: 0, to: item.count, by: stride) {
            let original = item.value[i]
            item.value[i] = original + epsilon
            let plus = loss()
            item.value[i] = original - epsilon
            let minus = loss()
            item.value[i] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let analytic = Double(gradient[i])
            let error = abs(numeric - analytic)
            if error > 1e-3 + tolerance * max(abs(numeric), abs(analytic)) {
                XCTFail("\(item.name)[\(i)]: analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}
