import CKernels
import DSPrepSupport

/// Elementwise kernels over raw Float pointers. The loops are plain so the compiler vectorizes
/// them in release builds (the two reductions are CKernels C, for AVX2); large ones are split
/// across cores with `Parallel.forRows`.
public enum Elementwise {
    /// out[i] = a[i] + b[i]   (out may alias a or b)
    public static func add(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count) { range in
            for i in range { out[i] = a[i] + b[i] }
        }
    }

    /// y[i] += alpha · x[i]
    public static func axpy(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, alpha: Float = 1, count: Int) {
        Parallel.forRows(count) { range in
            for i in range { y[i] += alpha * x[i] }
        }
    }

    /// x[i] *= alpha
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        Parallel.forRows(count) { range in
            for i in range { x[i] *= alpha }
        }
    }

    /// out[i] = a[i] · b[i]   (out may alias a)
    public static func multiply(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        Parallel.forRows(count) { range in
            for i in range { out[i] = a[i] * b[i] }
        }
    }

    /// out (C) += Σ over rows of x (N,C): the bias gradient of a linear layer. Each task owns a
    /// range of columns and walks the rows in order (contiguous reads, deterministic sums; CKernels/reductions.c).
    public static func addColumnSums(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, columns: Int) {
        Parallel.forRows(columns, costPerRow: rows) { range in
            ck_add_column_sums(out + range.lowerBound, x + range.lowerBound, rows, range.count, columns)
        }
    }

    /// Σ x[i]² in Double (for gradient norms), chunked deterministically (CKernels/reductions.c).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        Parallel.sum(count) { range in
            var sum = 0.0
            ck_sum_of_squares(x + range.lowerBound, range.count, &sum)
            return sum
        }
    }
}
