import CKernels
import COpenBLAS
import DSPrepSupport
import Foundation

/// Matrix products, row-major throughout:
///   C (M,N) = alpha · op(A) · op(B) + beta · C,  op(A) is (M,K), op(B) is (K,N)
/// where op(X) is X or Xᵀ. `lda`/`ldb`/`ldc` are the row strides of A, B, C as stored, which lets
/// attention multiply one head's slice of the fused (N,3C) QKV buffer in place.
///
/// Threads: OpenBLAS is kept at one thread and the cores are split here instead. Its own worker
/// threads spin after every call and fought the `Parallel` tasks that run between the GEMMs, and
/// a model's many small products (one per sequence and head) run better side by side, one per
/// core, than each spread over all cores.
public enum Matmul {
    /// Products below this many multiply-adds run as one call on the calling thread.
    static let minimumWorkToSplit = 1 << 21
    /// Blocks of rows or columns start on multiples of OpenBLAS's register tile. The split depends only on
    /// the shape and the core count, so results repeat run after run; against one unsplit call
    /// they can differ in the last bits (OpenBLAS picks its kernels by size).
    static let tile = 16

    /// OpenBLAS's name for the kernels it chose for this CPU ("Haswell", "SkylakeX", ...), which
    /// `OPENBLAS_CORETYPE` overrides: benchmarks print it, since AVX2 and AVX-512 kernels differ
    /// about twofold on CPUs that have both.
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }

    /// A note for `dsprep train` when `OPENBLAS_CORETYPE` holds OpenBLAS below the CPU: its AVX-512
    /// kernels multiply up to about twice as fast as the AVX2 ones (2 cores of the development
    /// machines: 340–430 against 200–215 GFLOPS). dsprep leaves the setting alone, since whoever set
    /// it may have a reason, but says what it costs. Nil when nothing is lost.
    public static var kernelChoiceNote: String? {
        kernelChoiceNote(coreTypeSetting: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
                         coreName: blasCoreName, cpuHasAVX512: ck_cpu_has_avx512())
    }

    static func kernelChoiceNote(coreTypeSetting: String?, coreName: String, cpuHasAVX512: Bool) -> String? {
        guard let setting = coreTypeSetting, !setting.isEmpty, cpuHasAVX512, !avx512CoreNames.contains(coreName) else { return nil }
        return "OpenBLAS runs its \(coreName) kernels because OPENBLAS_CORETYPE=\(setting) is set; this CPU has AVX-512, "
            + "whose kernels OpenBLAS picks by itself when the variable is unset and which multiply up to about twice as fast"
    }

    /// OpenBLAS's names for its AVX-512 kernels (`openblas_get_corename`).
    static let avx512CoreNames: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]

    /// Sets OpenBLAS to one thread, once, before the first product.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    /// The tuned product through `cblas_sgemm`, split into blocks of C that run in parallel, each a
    /// single-threaded OpenBLAS call. Up to two blocks per core, so that when another process slows
    /// one core the other takes more of the work (on a loaded machine: 62–65 → 68–71 samples/s).
    /// Every call packs both operands again, so C is cut across its longer side: blocks of rows
    /// re-pack op(B) per block, blocks of columns re-pack op(A). For a weight gradient such as
    /// BERT's FFN-out dW (384 × 1536 from 1000 rows), cutting rows packed 6 MB four times over.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let byColumns = n > m
        let side = byColumns ? n : m
        // In multiples of the core count where there are enough, so every core gets an equal share
        // (3 blocks on 2 cores left one idle a third of the time in BERT's 384 × 384 weight gradients).
        let most = min(2 * Parallel.processorCount, side / (8 * tile))
        let blocks = most >= Parallel.processorCount ? most - most % Parallel.processorCount : most
        if m * n * k < minimumWorkToSplit || blocks <= 1 {
            gemmOnThisThread(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                             b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let tiles = (side + tile - 1) / tile
        Parallel.tasks(blocks) { block in
            let start = min(side, tiles * block / blocks * tile), end = min(side, tiles * (block + 1) / blocks * tile)
            guard start < end else { return }
            if byColumns {
                gemmOnThisThread(transA: transA, transB: transB, m: m, n: end - start, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b + (transB ? start * ldb : start), ldb: ldb, beta: beta, c: c + start, ldc: ldc)
            } else {
                gemmOnThisThread(transA: transA, transB: transB, m: end - start, n: n, k: k, alpha: alpha,
                                 a: a + (transA ? start : start * lda), lda: lda, b: b, ldb: ldb,
                                 beta: beta, c: c + start * ldc, ldc: ldc)
            }
        }
    }

    /// One `cblas_sgemm` call on the calling thread (for callers that already run one task per core).
    public static func gemmOnThisThread(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreadedBLAS
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
