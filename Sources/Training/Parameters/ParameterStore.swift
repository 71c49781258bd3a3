import DSPrepSupport

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
/// The first parameter can instead be frozen (fine-tuning with fixed word embeddings): it then
/// has no gradient and no optimizer moments, which saves their memory and their share of every
/// update pass. Or it can keep a row-sparse gradient (`rowGradient`: fine-tuning's word
/// embeddings, of which a batch touches few rows), and the dense gradient buffer starts after it.
/// Unchecked Sendable: its raw buffers are written by the trainer's parallel kernels, each task on its own rows (Parallel's contract), and never by two steps at once.
public final class ParameterStore: @unchecked Sendable {
    /// How the first parameter of the layout is trained.
    public enum Leading: Sendable, Equatable {
        /// like the others: a dense gradient
        case dense
        /// not at all: no gradient
        case frozen
        /// with a `RowSparseGradient` (it must be a 2-D table)
        case rowSparse
    }

    public let specs: [ParameterSpec]
    /// offsets[i] is where specs[i] starts in `values`.
    public let offsets: [Int]
    public let count: Int
    public let values: FloatBuffer
    public let leading: Leading
    /// Where the trainable parameters start in `values` (the optimizer's moments cover values[trainableStart...]).
    public let trainableStart: Int
    /// Where the parameters with a dense gradient start in `values`.
    public let denseGradientStart: Int
    /// Gradients of values[denseGradientStart...], in the same order.
    public let grads: FloatBuffer
    /// The first parameter's gradient when `leading` is `.rowSparse`.
    public let rowGradient: RowSparseGradient?
    /// Parameters before this index have no dense gradient (0, or 1 when the first is frozen or row-sparse).
    private let firstDense: Int
    private let indexByName: [String: Int]

    /// Lays the parameters out in the order given (which models choose so that tensors used
    /// together, like query/key/value weights, are adjacent and can be used as one).
    public init(specs: [ParameterSpec], leading: Leading = .dense) {
        var offsets: [Int] = [], total = 0, indexByName: [String: Int] = [:]
        for (index, spec) in specs.enumerated() {
            precondition(indexByName[spec.name] == nil, "duplicate parameter name \(spec.name)")
            indexByName[spec.name] = index
            offsets.append(total)
            total += spec.count
        }
        precondition(leading == .dense || !specs.isEmpty, "only an existing first parameter can be frozen or row-sparse")
        precondition(leading != .rowSparse || specs[0].shape.count == 2, "a row-sparse gradient needs a 2-D table")
        self.specs = specs
        self.offsets = offsets
        self.count = total
        self.indexByName = indexByName
        self.leading = leading
        firstDense = leading == .dense ? 0 : 1
        func start(_ index: Int) -> Int { index < specs.count ? offsets[index] : total }
        trainableStart = start(leading == .frozen ? 1 : 0)
        denseGradientStart = start(firstDense)
        values = FloatBuffer(count: total)
        grads = FloatBuffer(count: total - denseGradientStart)
        rowGradient = leading == .rowSparse ? RowSparseGradient(rows: specs[0].shape[0], width: specs[0].shape[1]) : nil
    }

    public func isTrainable(_ index: Int) -> Bool { index > 0 || leading != .frozen }

    public func index(of name: String) -> Int? { indexByName[name] }

    /// Start of parameter `index` in the value buffer.
    @inline(__always) public func value(_ index: Int) -> UnsafeMutablePointer<Float> { values.pointer + offsets[index] }

    /// Start of parameter `index`'s dense gradient; the parameter must have one.
    @inline(__always) public func grad(_ index: Int) -> UnsafeMutablePointer<Float> {
        precondition(index >= firstDense, "a frozen or row-sparse parameter has no dense gradient")
        return grads.pointer + (offsets[index] - denseGradientStart)
    }

    /// Parameter `index`'s gradient as a dense array, whichever way it is kept (for tests and inspection).
    public func gradient(_ index: Int) -> [Float] {
        if index == 0, let rowGradient { return rowGradient.dense() }
        return Array(UnsafeBufferPointer(start: grad(index), count: specs[index].count))
    }

    /// Σ g² over every gradient, dense and row-sparse.
    public func gradientSumOfSquares() -> Double {
        Elementwise.sumOfSquares(grads.pointer, count: grads.count) + (rowGradient?.sumOfSquares() ?? 0)
    }

    /// Fills the parameters `indices` (default: all) from their initializers; parameter i draws
    /// from stream i of `seed`, so values depend only on the seed and the layout, not on which
    /// others are filled.
    public func initialize(seed: UInt64, only indices: [Int]? = nil) {
        let random = CounterRandom(seed: seed)
        for index in indices ?? Array(specs.indices) {
            let spec = specs[index], p = value(index)
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

    public func zeroGrads() {
        grads.zero()
        rowGradient?.clear()
    }
}
