import DSPrepSupport

/// Fully connected layer, PyTorch/HF layout (weight is (OC,C), so checkpoints map 1:1).
public enum Linear {
    /// out: (N,OC) = inp: (N,C) · weightᵀ + bias;  weight: (OC,C), bias: (OC) or nil
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int
    ) {
        if let bias {
            Parallel.forRows(n, costPerRow: oc) { rows in
                for i in rows { (out + i * oc).update(from: bias, count: oc) }
            }
        }
        Matmul.gemm(transA: false, transB: true, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: c,
                    beta: bias == nil ? 0 : 1, c: out, ldc: oc)
    }

    /// Accumulates: dinp (N,C) += dout · weight;  dweight (OC,C) += doutᵀ · inp;  dbias (OC) += Σ_rows dout
    /// dout: (N,OC). `dinp` nil skips the input gradient (e.g. below the first layer).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        if let dinp { backwardInput(dinp: dinp, dout: dout, weight: weight, n: n, c: c, oc: oc) }
        backwardParameters(dweight: dweight, dbias: dbias, dout: dout, inp: inp, n: n, c: c, oc: oc)
    }

    /// dinp (N,C) = dout · weight + beta · dinp: beta 1 accumulates, 0 overwrites (no zeroing pass).
    public static func backwardInput(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int,
        beta: Float = 1
    ) {
        Matmul.gemm(transA: false, transB: false, m: n, n: c, k: oc, a: dout, lda: oc, b: weight, ldb: c,
                    beta: beta, c: dinp, ldc: c)
    }

    /// Accumulates dweight (OC,C) += doutᵀ · inp and dbias (OC) += Σ_rows dout.
    public static func backwardParameters(
        dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        Matmul.gemm(transA: true, transB: false, m: oc, n: c, k: n, a: dout, lda: oc, b: inp, ldb: c,
                    beta: 1, c: dweight, ldc: c)
        if let dbias { Elementwise.addColumnSums(dbias, dout, rows: n, columns: oc) }
    }
}
