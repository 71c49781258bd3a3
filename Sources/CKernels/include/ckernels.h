#ifndef DSPREP_CKERNELS_H
#define DSPREP_CKERNELS_H
#include <stdbool.h>
#include <stdint.h>

/* The trainer's elementwise hot loops in C, so that one source compiles twice: for the baseline
   x86-64 the package targets, and with AVX2+FMA for the CPUs that have them (chosen at run time,
   once). Swift cannot compile one function for another CPU, and the package must keep running on
   machines without AVX2. Counts and strides are `long` (Swift `Int`). Pointers may alias only
   where a comment says so. */

/* Whether the AVX2+FMA versions run. `ck_use_avx2(false)` forces the baseline versions (tests
   hold both to the same reference); `ck_use_avx2(true)` is ignored on CPUs without AVX2+FMA.
   Returns the previous setting. */
bool ck_avx2_active(void);
bool ck_use_avx2(bool enabled);

/* Whether the CPU has the AVX-512 subsets (F, BW, DQ, VL) that OpenBLAS's SkylakeX kernels use. */
bool ck_cpu_has_avx512(void);

/* GELU, tanh form: out[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), x = inp[i]. */
void ck_gelu_forward(float *out, const float *inp, long count);
/* dinp[i] += dout[i] · gelu'(inp[i]) */
void ck_gelu_backward(float *dinp, const float *dout, const float *inp, long count);
/* GELU, exact form: out[i] = 0.5·x·(1 + erf(x/√2)) (HF "gelu"); and dinp[i] += dout[i] · gelu'(inp[i]). */
void ck_gelu_erf_forward(float *out, const float *inp, long count);
void ck_gelu_erf_backward(float *dinp, const float *dout, const float *inp, long count);
/* The backward for a caller that did not keep the forward's output: d[i] = d[i] · gelu'(inp[i]) in
   place, and out[i] = gelu(inp[i]), bit for bit what the forward kernel of the same form gives. */
void ck_gelu_backward_recomputing(float *d, float *out, const float *inp, long count);
void ck_gelu_erf_backward_recomputing(float *d, float *out, const float *inp, long count);

/* LayerNorm of `rows` rows of `c` floats: out = (inp − mean)·rstd·weight + bias; mean, rstd: (rows). */
void ck_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *weight,
                          const float *bias, long rows, long c, float epsilon);
/* dinp (rows,c) += rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dout·weight, x̂ = (inp − mean)·rstd. */
void ck_layernorm_backward_input(float *dinp, const float *dout, const float *inp, const float *weight,
                                 const float *mean, const float *rstd, long rows, long c);
/* For `columns` columns of rows with stride `stride`: dweight[j] += Σ_i dout·x̂, dbias[j] += Σ_i dout,
   rows in order. */
void ck_layernorm_backward_parameters(float *dweight, float *dbias, const float *dout, const float *inp,
                                      const float *mean, const float *rstd, long rows, long columns, long stride);

/* out[j] += Σ_i x[i·stride + j] for j < columns, summed over rows in order before adding to out. */
void ck_add_column_sums(float *out, const float *x, long rows, long columns, long stride);

/* *result = Σ x[i]², summed in float over 8 lanes that are combined in double. */
void ck_sum_of_squares(const float *x, long count, double *result);

/* Attention probabilities of `rows` rows of `length` scores, in place:
   row = softmax(row + bias), bias: (length). Scores below the maximum by more than ~87 get exactly 0. */
void ck_softmax_forward(float *scores, const float *bias, long rows, long length);
/* In place from dP to dS = P ⊙ (dP − Σ_j P·dP). */
void ck_softmax_backward(float *dscores, const float *probabilities, long rows, long length);

/* SplitMix64's finalizer: CounterRandom's random bits for (seed, stream, index) are
   ck_mix(key ^ index) with key = ck_mix(seed ^ ck_mix(stream)). Inline here so Swift and the
   dropout kernel share it. */
static inline uint64_t ck_mix(uint64_t value) {
    uint64_t z = value + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Inverted dropout: out[i] = inp[i]·mask_i (out may alias inp), where mask_i is 0 when the top 24 bits
   of ck_mix(key ^ (first_index + i)), as a uniform in [0, 1), are below `probability`, else `keep`.
   The mask is a function of (key, index), so the backward applies the same call to the gradient
   instead of storing it. */
void ck_dropout_apply(float *out, const float *inp, long count, float probability, float keep, uint64_t key,
                      uint64_t first_index);

/* One AdamW step on `count` elements (see AdamW.swift): with ĝ = g·gradient_scale,
   m = β1·m + (1−β1)·ĝ;  v = β2·v + (1−β2)·ĝ²;  p = p·decay − lr·(m/c1)/(√(v/c2) + ε). */
typedef struct {
    float beta1, beta2, epsilon, learning_rate, gradient_scale, correction1, correction2;
} ck_adamw_constants;
void ck_adamw_update(float *p, const float *g, float *m, float *v, long count, float decay,
                     const ck_adamw_constants *constants);
/* The same step for elements whose gradient is zero (rows a batch did not touch), without reading one. */
void ck_adamw_update_without_gradient(float *p, float *m, float *v, long count, float decay,
                                      const ck_adamw_constants *constants);

#endif
