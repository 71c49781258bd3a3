#include "dispatch.h"

/* Σ x[j] over 8 lanes, tail zero-padded. */
CK_INLINE float ck_sum(const float *x, long count) {
    ck_f8 sums = ck_splat(0);
    long j = 0;
    for (; j + 8 <= count; j += 8) sums += ck_load(x + j);
    return ck_add_lanes(sums + ck_load_tail(x + j, count - j, 0));
}

CK_KERNEL(ck_layernorm_forward,
          (float *out, float *mean, float *rstd, const float *inp, const float *weight, const float *bias, long rows,
           long c, float epsilon),
          (out, mean, rstd, inp, weight, bias, rows, c, epsilon)) {
    for (long i = 0; i < rows; i++) {
        const float *x = inp + i * c;
        float *y = out + i * c;
        float m = ck_sum(x, c) / (float)c;
        ck_f8 squares = ck_splat(0), centre = ck_splat(m);
        long j = 0;
        for (; j + 8 <= c; j += 8) {
            ck_f8 d = ck_load(x + j) - centre;
            squares += d * d;
        }
        ck_f8 d = ck_load_tail(x + j, c - j, m) - centre; /* padded lanes are 0 */
        squares += d * d;
        float s = 1 / ck_sqrt(ck_add_lanes(squares) / (float)c + epsilon);
        for (j = 0; j < c; j++) y[j] = (x[j] - m) * s * weight[j] + bias[j];
        mean[i] = m;
        rstd[i] = s;
    }
}

CK_KERNEL(ck_layernorm_backward_input,
          (float *dinp, const float *dout, const float *inp, const float *weight, const float *mean, const float *rstd,
           long rows, long c),
          (dinp, dout, inp, weight, mean, rstd, rows, c)) {
    for (long i = 0; i < rows; i++) {
        const float *x = inp + i * c, *dy = dout + i * c;
        float *dx = dinp + i * c;
        float m = mean[i], s = rstd[i];
        ck_f8 gSums = ck_splat(0), gxSums = ck_splat(0);
        long j = 0;
        for (; j + 8 <= c; j += 8) {
            ck_f8 g = ck_load(dy + j) * ck_load(weight + j);
            gSums += g;
            gxSums += g * ((ck_load(x + j) - m) * s);
        }
        ck_f8 g = ck_load_tail(dy + j, c - j, 0) * ck_load_tail(weight + j, c - j, 0); /* padded lanes are 0 */
        gSums += g;
        gxSums += g * ((ck_load_tail(x + j, c - j, m) - m) * s);
        float gMean = ck_add_lanes(gSums) / (float)c, gxMean = ck_add_lanes(gxSums) / (float)c;
        for (j = 0; j < c; j++) {
            float gj = dy[j] * weight[j];
            dx[j] += s * (gj - gMean - (x[j] - m) * s * gxMean);
        }
    }
}

CK_KERNEL(ck_layernorm_backward_parameters,
          (float *dweight, float *dbias, const float *dout, const float *inp, const float *mean, const float *rstd,
           long rows, long columns, long stride),
          (dweight, dbias, dout, inp, mean, rstd, rows, columns, stride)) {
    for (long i = 0; i < rows; i++) {
        const float *x = inp + i * stride, *dy = dout + i * stride;
        float m = mean[i], s = rstd[i];
        for (long j = 0; j < columns; j++) {
            dweight[j] += dy[j] * (x[j] - m) * s;
            dbias[j] += dy[j];
        }
    }
}
