/// One named parameter tensor: its HF-style name (the key it gets in `model.safetensors`), shape,
/// whether AdamW decays it, and how it starts.
public struct ParameterSpec: Sendable, Equatable {
    public enum Initializer: Sendable, Equatable {
        /// N(0, std²), BERT's `initializer_range` (0.02).
        case normal(std: Float)
        case zeros
        case ones
    }

    public var name: String
    public var shape: [Int]
    /// False for biases and LayerNorm weights (the HF Trainer's `no_decay` groups).
    public var weightDecay: Bool
    public var initializer: Initializer

    public init(name: String, shape: [Int], weightDecay: Bool, initializer: Initializer) {
        self.name = name
        self.shape = shape
        self.weightDecay = weightDecay
        self.initializer = initializer
    }

    public var count: Int { shape.reduce(1, *) }

    /// A weight matrix: decayed, N(0, std²).
    public static func weight(_ name: String, _ shape: [Int], std: Float = 0.02) -> ParameterSpec {
        ParameterSpec(name: name, shape: shape, weightDecay: true, initializer: .normal(std: std))
    }

    /// A bias: not decayed, zeros.
    public static func bias(_ name: String, _ count: Int) -> ParameterSpec {
        ParameterSpec(name: name, shape: [count], weightDecay: false, initializer: .zeros)
    }

    /// LayerNorm weight (ones) and bias (zeros), neither decayed.
    public static func layerNorm(_ prefix: String, _ count: Int) -> [ParameterSpec] {
        [ParameterSpec(name: prefix + ".weight", shape: [count], weightDecay: false, initializer: .ones),
         bias(prefix + ".bias", count)]
    }
}

/// All parameters of a model in one contiguous Float buffer ("malloc all parameters at once",
/// llm.c), with the gradients in a second buffer of the same layout, so the optimizer, gradient
/// norm and checkpoint writer are each one pass over one array. Layers get raw pointers into it.
///
/// The first `frozenCount` parameters can be frozen (fine-tuning with fixed word embeddings):
/// the gradient buffer, and so the optimizer's moments, then start after them, which saves their
/// memory and their share of every update pass.
public final class ParameterStore: @unchecked Sendable {
    public let specs: [ParameterSpec]
    /// offsets[i] is where specs[i] starts in `values`.
    public let offsets: [Int]
    public let count: Int
    public let values: FloatBuffer
    /// Gradients of values[gradientStart...] (the trainable parameters), in the same order.
    public let grads: FloatBuffer
    /// Elements of the frozen parameters, which lead the layout.
    public let gradientStart: Int
    public let frozenCount: Int
    private let indexByName: [String: Int]

    /// Lays the parameters out in the order given (which models choose so that tensors used
    /// together, like query/key/value weights, are adjacent and can be used as one).
    public init(specs: [ParameterSpec], frozenCount: Int = 0) {
        precondition(frozenCount >= 0 && frozenCount <= specs.count, "frozenCount out of range")
        var offsets: [Int] = [], total = 0, indexByName: [String: Int] = [:]
        for (index, spec) in specs.enumerated() {
            precondition(indexByName[spec.name] == nil, "duplicate parameter name \(spec.name)")
            indexByName[spec.name] = index
            offsets.append(total)
            total += spec.count
        }
        self.specs = specs
        self.offsets = offsets
        self.count = total
        self.indexByName = indexByName
        self.frozenCount = frozenCount
        gradientStart = frozenCount < specs.count ? offsets[frozenCount] : total
        values = FloatBuffer(count: total)
        grads = FloatBuffer(count: total - gradientStart)
    }

    public func isTrainable(_ index: Int) -> Bool { index >= frozenCount }

    public func index(of name: String) -> Int? { indexByName[name] }

    /// Start of parameter `index` in the value buffer.
    @inline(__always) public func value(_ index: Int) -> UnsafeMutablePointer<Float> { values.pointer + offsets[index] }

    /// Start of parameter `index`'s gradient; the parameter must be trainable.
    @inline(__always) public func grad(_ index: Int) -> UnsafeMutablePointer<Float> {
        precondition(index >= frozenCount, "a frozen parameter has no gradient")
        return grads.pointer + (offsets[index] - gradientStart)
    }

    /// The gradient of parameter `index`, nil when it is frozen.
    @inline(__always) public func gradIfTrainable(_ index: Int) -> UnsafeMutablePointer<Float>? {
        index >= frozenCount ? grad(index) : nil
    }

    /// Fills every parameter from its initializer; parameter i draws from stream i of `seed`,
    /// so values depend only on the seed and the layout.
    public func initialize(seed: UInt64) {
        let random = CounterRandom(seed: seed)
        for (index, spec) in specs.enumerated() {
            let p = value(index)
            switch spec.initializer {
            case .zeros: p.update(repeating: 0, count: spec.count)
            case .ones: p.update(repeating: 1, count: spec.count)
            case .normal(let std):
                Parallel.forRows(spec.count, costPerRow: 16) { range in
                    for i in range { p[i] = std * random.normal(stream: UInt64(index), index: UInt64(i)) }
                }
            }
        }
    }

    public func zeroGrads() { grads.zero() }
}
