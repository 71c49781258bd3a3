import XCTest
@testable import Training

/// A buffer under test: its values and the gradient the layer's backward accumulated into.
struct Checked {
    var name: String
    var value: UnsafeMutablePointer<Float>
    var grad: UnsafeMutablePointer<Float>
    var count: Int

    init(name: String, value: FloatBuffer, grad: FloatBuffer) {
        self.init(name: name, value: value.pointer, grad: grad.pointer, count: value.count)
    }

    init(name: String, value: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, count: Int) {
        self.name = name
        self.value = value
        self.grad = grad
        self.count = count
    }

    /// Every parameter of a store, by name.
    static func all(_ store: ParameterStore) -> [Checked] {
        store.specs.indices.map { Checked(name: store.specs[$0].name, value: store.value($0), grad: store.grad($0), count: store.specs[$0].count) }
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
    for item in checked { item.grad.update(repeating: 0, count: item.count) }
    _ = loss()
    backward()
    for item in checked {
        let stride = max(1, item.count / samples)
        for i in Swift.stride(from: 0, to: item.count, by: stride) {
            let original = item.value[i]
            item.value[i] = original + epsilon
            let plus = loss()
            item.value[i] = original - epsilon
            let minus = loss()
            item.value[i] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let analytic = Double(item.grad[i])
            let error = abs(numeric - analytic)
            if error > 1e-3 + tolerance * max(abs(numeric), abs(analytic)) {
                XCTFail("\(item.name)[\(i)]: analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}
