#include "fastmath.h"

CK_KERNEL(ck_softmax_forward, (float *scores, const float *bias, long rows, long length), (scores, bias, rows, length)) {
    for (long i = 0; i < rows; i++) {
        float *row = scores + i * length;
        ck_f8 maxima = ck_splat(-__builtin_inff());
        long j = 0;
        for (; j + 8 <= length; j += 8) {
            ck_f8 v = ck_load(row + j) + ck_load(bias + j);
            ck_store(row + j, v);
            maxima = __builtin_elementwise_max(maxima, v);
        }
        for (; j < length; j++) {
            row[j] += bias[j];
            maxima[0] = __builtin_elementwise_max(maxima[0], row[j]);
        }
        float maximum = __builtin_reduce_max(maxima);
        for (j = 0; j < length; j++) row[j] = ck_exp(row[j] - maximum);
        ck_f8 sums = ck_splat(0);
        for (j = 0; j + 8 <= length; j += 8) sums += ck_load(row + j);
        sums += ck_load_tail(row + j, length - j, 0);
        float inverse = 1 / ck_add_lanes(sums);
        for (j = 0; j < length; j++) row[j] *= inverse;
    }
}

CK_KERNEL(ck_softmax_backward, (float *dscores, const float *probabilities, long rows, long length),
          (dscores, probabilities, rows, length)) {
    for (long i = 0; i < rows; i++) {
        float *d = dscores + i * length;
        const float *p = probabilities + i * length;
        ck_f8 dots = ck_splat(0);
        long j = 0;
        for (; j + 8 <= length; j += 8) dots += ck_load(p + j) * ck_load(d + j);
        dots += ck_load_tail(p + j, length - j, 0) * ck_load_tail(d + j, length - j, 0);
        float dot = ck_add_lanes(dots);
        for (j = 0; j < length; j++) d[j] = p[j] * (d[j] - dot);
    }
}
