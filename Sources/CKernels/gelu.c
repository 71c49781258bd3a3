#include "fastmath.h"

/* GELU, tanh form (the original BERT's gelu; see Activations.swift). */
static const float gelu_scale = 0.7978845608028654f; /* √(2/π) */
static const float gelu_cubic = 0.044715f;

/* tanh(√(2/π)·(x + 0.044715·x³)), which the value and the derivative share */
CK_INLINE float ck_gelu_tanh_inner(float x) { return ck_tanh(gelu_scale * (x + gelu_cubic * x * x * x)); }

CK_INLINE float ck_gelu_tanh_derivative(float x, float t) {
    float dt = (1 - t * t) * gelu_scale * (1 + 3 * gelu_cubic * x * x);
    return 0.5f * (1 + t) + 0.5f * x * dt;
}

CK_KERNEL(ck_gelu_forward, (float *out, const float *inp, long count), (out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        out[i] = 0.5f * x * (1 + ck_gelu_tanh_inner(x));
    }
}

CK_KERNEL(ck_gelu_backward, (float *dinp, const float *dout, const float *inp, long count), (dinp, dout, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        dinp[i] += dout[i] * ck_gelu_tanh_derivative(x, ck_gelu_tanh_inner(x));
    }
}

CK_KERNEL(ck_gelu_backward_recomputing, (float *d, float *out, const float *inp, long count), (d, out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i], t = ck_gelu_tanh_inner(x);
        out[i] = 0.5f * x * (1 + t);
        d[i] = d[i] * ck_gelu_tanh_derivative(x, t);
    }
}

/* GELU, exact form: x·Φ(x), as PyTorch's default `F.gelu` and HF's "gelu" compute it, with
   Φ(x) = erfc(−x/√2)/2 written so that it vectorizes (libm's erff does not, and cost a fifth of a
   fine-tuning step). erfc(z) for z ≥ 0 is t·e^(−z² + P(t)), t = 1/(1 + z/2), P the degree-9
   Chebyshev fit of Numerical Recipes' erfcc (relative error < 1.2e-7 for every z); for z < 0,
   erfc(z) = 2 − erfc(−z). Computing Φ from erfc also keeps its tail accurate for very negative x,
   where 1 + erf cancels. */
static const float gelu_inv_sqrt2 = 0.70710678118654752f;
static const float gelu_inv_sqrt_2pi = 0.39894228040143268f; /* 1/√(2π) */

/* Φ(x), the standard normal distribution function. */
CK_INLINE float ck_normal_cdf(float x) {
    float z = __builtin_fabsf(x) * gelu_inv_sqrt2;
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float half_erfc = 0.5f * t * ck_exp(p - z * z); /* erfc(|x|/√2)/2 = Φ(−|x|) */
    return x < 0 ? half_erfc : 1.0f - half_erfc;
}

CK_KERNEL(ck_gelu_erf_forward, (float *out, const float *inp, long count), (out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        out[i] = x * ck_normal_cdf(x);
    }
}

/* gelu'(x) = Φ(x) + x·φ(x), φ the standard normal density. */
CK_INLINE float ck_gelu_erf_derivative(float x, float cdf) {
    float pdf = gelu_inv_sqrt_2pi * ck_exp(-0.5f * x * x);
    return cdf + x * pdf;
}

CK_KERNEL(ck_gelu_erf_backward, (float *dinp, const float *dout, const float *inp, long count), (dinp, dout, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        dinp[i] += dout[i] * ck_gelu_erf_derivative(x, ck_normal_cdf(x));
    }
}

CK_KERNEL(ck_gelu_erf_backward_recomputing, (float *d, float *out, const float *inp, long count), (d, out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i], cdf = ck_normal_cdf(x);
        out[i] = x * cdf;
        d[i] = d[i] * ck_gelu_erf_derivative(x, cdf);
    }
}
