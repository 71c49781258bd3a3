import Foundation
import XCTest
import CKernels
@testable import Training

final class MatmulTests: XCTestCase {
    /// cblas_sgemm against the naive loop, for every transpose combination, with row strides
    /// wider than the matrices (as attention uses) and beta = 1 accumulation.
    func testGemmMatchesNaiveLoop() {
        let m = 7, n = 5, k = 9, pad = 3
        for transA in [false, true] {
            for transB in [false, true] {
                let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
                let a = randomBuffer((transA ? k : m) * lda, seed: 1)
                let b = randomBuffer((transB ? n : k) * ldb, seed: 2)
                let fast = randomBuffer(m * ldc, seed: 3), slow = randomBuffer(m * ldc, seed: 3)
                Matmul.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer, lda: lda,
                            b: b.pointer, ldb: ldb, beta: 1, c: fast.pointer, ldc: ldc)
                Matmul.naiveGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer, lda: lda,
                                 b: b.pointer, ldb: ldb, beta: 1, c: slow.pointer, ldc: ldc)
                for i in 0..<(m * ldc) {
                    XCTAssertEqual(fast[i], slow[i], accuracy: 1e-5, "transA \(transA) transB \(transB) at \(i)")
                }
            }
        }
    }

    /// Products large enough to be split across cores (in blocks of rows; of columns when C is wider
    /// than tall, as 100×333) agree with one OpenBLAS
    /// call to rounding, and repeat bit for bit.
    func testSplitGemmMatchesOneCall() {
        for (m, n, k) in [(300, 200, 64), (100, 333, 70), (1000, 77, 40)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let lda = transA ? m : k, ldb = transB ? k : n
                    let a = randomBuffer(m * k, seed: 4), b = randomBuffer(k * n, seed: 5)
                    let split = randomBuffer(m * n, seed: 6), again = randomBuffer(m * n, seed: 6)
                    let whole = randomBuffer(m * n, seed: 6)
                    for c in [split, again] {
                        Matmul.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer, lda: lda,
                                    b: b.pointer, ldb: ldb, beta: 1, c: c.pointer, ldc: n)
                    }
                    Matmul.gemmOnThisThread(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.pointer,
                                            lda: lda, b: b.pointer, ldb: ldb, beta: 1, c: whole.pointer, ldc: n)
                    let name = "\(m)×\(n)×\(k) transA \(transA) transB \(transB)"
                    XCTAssertEqual(split.toArray(), again.toArray(), name)
                    let difference = zip(split.toArray(), whole.toArray()).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(difference, 1e-5, name)
                }
            }
        }
    }

    /// The naive loop itself on a product worked by hand: [[1,2],[3,4]]·[[5,6],[7,8]].
    func testNaiveGemmByHand() {
        let a = FloatBuffer(count: 4), b = FloatBuffer(count: 4), c = FloatBuffer(count: 4)
        for (i, v) in [1, 2, 3, 4].enumerated() { a[i] = Float(v) }
        for (i, v) in [5, 6, 7, 8].enumerated() { b[i] = Float(v) }
        Matmul.naiveGemm(transA: false, transB: false, m: 2, n: 2, k: 2, a: a.pointer, lda: 2, b: b.pointer, ldb: 2,
                         beta: 0, c: c.pointer, ldc: 2)
        XCTAssertEqual(c.toArray(), [19, 22, 43, 50])
    }

    /// Column sums and parallel row loops give the serial answer, bit for bit.
    func testColumnSumsAreDeterministic() {
        let rows = 3000, columns = 40
        let x = randomBuffer(rows * columns, seed: 4)
        let out = FloatBuffer(count: columns)
        Elementwise.addColumnSums(out.pointer, x.pointer, rows: rows, columns: columns)
        for j in 0..<columns {
            var sum: Float = 0
            for i in 0..<rows { sum += x[i * columns + j] }
            XCTAssertEqual(out[j], sum)
        }
    }

    /// The CPU check agrees with the kernel's own flags in /proc/cpuinfo (Linux).
    func testAVX512CheckAgreesWithTheKernelsFlags() throws {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo flags line here")
        }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let expected = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        XCTAssertEqual(ck_cpu_has_avx512(), expected)
    }

    /// The note appears only when the variable holds OpenBLAS to kernels below an AVX-512 CPU.
    func testKernelChoiceNoteOnlyWhenTheSettingCostsSpeed() throws {
        let note = try XCTUnwrap(Matmul.kernelChoiceNote(coreTypeSetting: "Haswell", coreName: "Haswell", cpuHasAVX512: true))
        XCTAssertTrue(note.contains("OPENBLAS_CORETYPE=Haswell"), note)
        XCTAssertNil(Matmul.kernelChoiceNote(coreTypeSetting: nil, coreName: "Haswell", cpuHasAVX512: true))  // OpenBLAS's own choice
        XCTAssertNil(Matmul.kernelChoiceNote(coreTypeSetting: "", coreName: "Haswell", cpuHasAVX512: true))
        XCTAssertNil(Matmul.kernelChoiceNote(coreTypeSetting: "Haswell", coreName: "Haswell", cpuHasAVX512: false))
        XCTAssertNil(Matmul.kernelChoiceNote(coreTypeSetting: "SkylakeX", coreName: "SkylakeX", cpuHasAVX512: true))
        XCTAssertNil(Matmul.kernelChoiceNote(coreTypeSetting: "cooperlake", coreName: "Cooperlake", cpuHasAVX512: true))
    }
}
