import DSPrepSupport

/// The element types weights files store, named as safetensors names them ("F32"); torch storages
/// map onto the same cases (`PyTorchCheckpoint`).
enum TensorDType: String, Sendable {
    case float32 = "F32", float16 = "F16", bfloat16 = "BF16", float64 = "F64"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }
}

/// Where a tensor's elements sit in a buffer of little-endian elements: torch's view of a storage
/// (element offset, a stride per dimension; strides may be 0 for expanded tensors). Safetensors
/// tensors are the contiguous case. Built only through the initializers, which check for overflow,
/// so `extent` bounds every element the layout reaches.
struct TensorLayout: Sendable, Equatable {
    let dtype: TensorDType
    let shape: [Int]
    let strides: [Int]
    let offset: Int
    /// The number of values (the shape's product).
    let count: Int
    /// One past the largest element index the layout reaches (0 when it has no values).
    let extent: Int

    /// Nil when a size, stride or offset is negative or the arithmetic overflows.
    init?(dtype: TensorDType, shape: [Int], strides: [Int], offset: Int) {
        guard shape.count == strides.count, offset >= 0,
              shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else { return nil }
        var count = 1, last = offset
        for (size, stride) in zip(shape, strides) {
            let product = count.multipliedReportingOverflow(by: size)
            guard !product.overflow else { return nil }
            count = product.partialValue
            guard size > 0 else { continue }
            let reach = (size - 1).multipliedReportingOverflow(by: stride)
            guard !reach.overflow else { return nil }
            let sum = last.addingReportingOverflow(reach.partialValue)
            guard !sum.overflow else { return nil }
            last = sum.partialValue
        }
        guard count < Int.max / 8, last < Int.max / 8 else { return nil }
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.count = count
        extent = count == 0 ? 0 : last + 1
    }

    /// Row-major strides, offset 0.
    init?(contiguous dtype: TensorDType, shape: [Int]) {
        var strides = [Int](repeating: 1, count: shape.count), stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            let next = stride.multipliedReportingOverflow(by: max(shape[axis], 1))
            guard !next.overflow else { return nil }
            stride = next.partialValue
        }
        self.init(dtype: dtype, shape: shape, strides: strides, offset: 0)
    }

    /// Bytes the elements need: `extent` elements of `dtype`.
    var byteExtent: Int { extent * dtype.size }

    /// Row-major with no gaps (dimensions of size 1 may have any stride). Only asked when count > 0.
    var isContiguous: Bool {
        var expected = 1
        for axis in shape.indices.reversed() where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Writes the values in row-major order as Float32 (integers and booleans are converted, exact
    /// up to 2^24). Throws, naming `location`, when `buffer` is shorter than `byteExtent` or
    /// `destination` does not hold `count` values.
    func copy(from buffer: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>,
              at location: SourceLocation) throws {
        try check(destination.count == count, "has \(count) values, expected \(destination.count)", at: location)
        try check(buffer.count >= byteExtent, "its \(dtype.rawValue) data needs \(byteExtent) bytes, the file holds \(buffer.count)",
                  at: location)
        guard count > 0, let base = buffer.baseAddress else { return }  // count > 0 implies bytes, so a base
        switch dtype {
        case .float32: gather(base, destination, Float32Element.self)
        case .float16: gather(base, destination, Float16Element.self)
        case .bfloat16: gather(base, destination, BFloat16Element.self)
        case .float64: gather(base, destination, Float64Element.self)
        case .int64: gather(base, destination, IntegerElement<Int64>.self)
        case .int32: gather(base, destination, IntegerElement<Int32>.self)
        case .int16: gather(base, destination, IntegerElement<Int16>.self)
        case .int8: gather(base, destination, IntegerElement<Int8>.self)
        case .uint8, .bool: gather(base, destination, IntegerElement<UInt8>.self)
        }
    }

    /// Walks the outer dimensions with an odometer and the innermost one as a strided run; a
    /// contiguous float32 tensor on a little-endian machine is one copy.
    private func gather<Element: StoredElement>(_ base: UnsafeRawPointer, _ destination: UnsafeMutableBufferPointer<Float>,
                                                _: Element.Type) {
        if isContiguous {
            if Element.self == Float32Element.self && UInt32(1).littleEndian == 1 {
                UnsafeMutableRawBufferPointer(destination).copyMemory(
                    from: UnsafeRawBufferPointer(start: base + offset * 4, count: count * 4))
                return
            }
            for i in 0..<count { destination[i] = Element.load(base, (offset + i) * Element.size) }
            return
        }
        let rank = shape.count
        let run = shape[rank - 1], step = strides[rank - 1]
        var index = [Int](repeating: 0, count: max(rank - 1, 0))
        var start = offset, written = 0
        while written < count {
            for j in 0..<run { destination[written + j] = Element.load(base, (start + j * step) * Element.size) }
            written += run
            // advance the odometer over the outer dimensions, keeping `start` in step
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                start += strides[axis]
                if index[axis] < shape[axis] { break }
                start -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// One little-endian element type read as Float32; the generic `gather` is specialized per type.
private protocol StoredElement {
    static var size: Int { get }
    static func load(_ base: UnsafeRawPointer, _ byteOffset: Int) -> Float
}

private enum Float32Element: StoredElement {
    static var size: Int { 4 }
    static func load(_ base: UnsafeRawPointer, _ at: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
    }
}

private enum Float16Element: StoredElement {
    static var size: Int { 2 }
    static func load(_ base: UnsafeRawPointer, _ at: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
    }
}

private enum BFloat16Element: StoredElement {
    static var size: Int { 2 }
    // bfloat16 is the high half of a float32.
    static func load(_ base: UnsafeRawPointer, _ at: Int) -> Float {
        Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt16.self))) << 16)
    }
}

private enum Float64Element: StoredElement {
    static var size: Int { 8 }
    static func load(_ base: UnsafeRawPointer, _ at: Int) -> Float {
        Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
    }
}

/// Integer and boolean storages (position ids, masks), little-endian two's complement.
private enum IntegerElement<Stored: FixedWidthInteger>: StoredElement {
    static var size: Int { MemoryLayout<Stored>.size }
    static func load(_ base: UnsafeRawPointer, _ at: Int) -> Float {
        Float(Stored(littleEndian: base.loadUnaligned(fromByteOffset: at, as: Stored.self)))
    }
}
