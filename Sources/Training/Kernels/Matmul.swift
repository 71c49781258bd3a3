import COpenBLAS

/// Matrix products, row-major throughout:
///   C (M,N) = alpha · op(A) · op(B) + beta · C,  op(A) is (M,K), op(B) is (K,N)
/// where op(X) is X or Xᵀ. `lda`/`ldb`/`ldc` are the row strides of A, B, C as stored, which lets
/// attention multiply one head's slice of the fused (B,T,3C) QKV buffer in place.
public enum Matmul {
    /// The tuned product, through OpenBLAS `cblas_sgemm`.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// The same product as a plain triple loop with a Double accumulator: the algorithmic
    /// reference the tests hold `gemm` to (as llm.c keeps `matmul_forward_naive`).
    public static func naiveGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }
}
