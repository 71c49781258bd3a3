#include "dispatch.h"

CK_KERNEL(ck_add_column_sums, (float *out, const float *x, long rows, long columns, long stride),
          (out, x, rows, columns, stride)) {
    /* Blocks of columns whose sums stay in a small local array (cache-resident, no allocation). */
    enum { block = 256 };
    for (long start = 0; start < columns; start += block) {
        long width = columns - start < block ? columns - start : block;
        float sums[block];
        for (long k = 0; k < width; k++) sums[k] = 0;
        for (long i = 0; i < rows; i++) {
            const float *row = x + i * stride + start;
            for (long k = 0; k < width; k++) sums[k] += row[k];
        }
        for (long k = 0; k < width; k++) out[start + k] += sums[k];
    }
}

CK_KERNEL(ck_sum_of_squares, (const float *x, long count, double *result), (x, count, result)) {
    ck_f8 sums = ck_splat(0);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        ck_f8 v = ck_load(x + i);
        sums += v * v;
    }
    ck_f8 v = ck_load_tail(x + i, count - i, 0);
    sums += v * v;
    double total = 0;
    for (int k = 0; k < 8; k++) total += sums[k];
    *result = total;
}
