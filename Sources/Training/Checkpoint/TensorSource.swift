import DSPrepSupport

/// Named tensors read from a weights file (or a set of files), converted to Float32 on read.
/// Pretrained model folders come in several formats (`model.safetensors`, sharded safetensors,
/// `pytorch_model.bin`); loading a model only needs names, shapes and values, so each format is a
/// `TensorSource` and the model side never sees which one it got.
public protocol TensorSource {
    /// Every tensor the source holds, sorted.
    var tensorNames: [String] { get }
    /// The shape of `name`, nil when the source has no such tensor.
    func shape(of name: String) -> [Int]?
    /// Whether `name` holds floating-point values (F32/F16/BF16/F64): integer buffers such as
    /// `position_ids` are not parameters.
    func isFloatingPoint(_ name: String) -> Bool
    /// Writes the values of `name` as Float32 into `destination`, whose count must equal the
    /// shape's product (integer tensors are converted too, exactly up to 2^24). Throws naming the
    /// file and the tensor when it cannot.
    func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws
}
