import Foundation
import XCTest
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
}
