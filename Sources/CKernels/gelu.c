#include "fastmath.h"
#include <math.h>

/* GELU, tanh form (the original BERT's gelu; see Activations.swift). */
static const float gelu_scale = 0.7978845608028654f; /* √(2/π) */
static const float gelu_cubic = 0.044715f;

CK_KERNEL(ck_gelu_forward, (float *out, const float *inp, long count), (out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        out[i] = 0.5f * x * (1 + ck_tanh(gelu_scale * (x + gelu_cubic * x * x * x)));
    }
}

CK_KERNEL(ck_gelu_backward, (float *dinp, const float *dout, const float *inp, long count), (dinp, dout, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        float t = ck_tanh(gelu_scale * (x + gelu_cubic * x * x * x));
        float dt = (1 - t * t) * gelu_scale * (1 + 3 * gelu_cubic * x * x);
        dinp[i] += dout[i] * (0.5f * (1 + t) + 0.5f * x * dt);
    }
}

/* GELU, exact form: x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as PyTorch's default `F.gelu` and HF's
   "gelu" compute it. erff is libm's (within 1 ulp); it does not vectorize, which costs a few
   percent of a fine-tuning step and buys bit-level agreement with pretrained models. */
static const float gelu_inv_sqrt2 = 0.70710678118654752f;
static const float gelu_inv_sqrt_2pi = 0.39894228040143268f; /* 1/√(2π) */

CK_KERNEL(ck_gelu_erf_forward, (float *out, const float *inp, long count), (out, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        out[i] = 0.5f * x * (1 + erff(x * gelu_inv_sqrt2));
    }
}

/* gelu'(x) = Φ(x) + x·φ(x), φ the standard normal density. */
CK_KERNEL(ck_gelu_erf_backward, (float *dinp, const float *dout, const float *inp, long count), (dinp, dout, inp, count)) {
    for (long i = 0; i < count; i++) {
        float x = inp[i];
        float cdf = 0.5f * (1 + erff(x * gelu_inv_sqrt2));
        float pdf = gelu_inv_sqrt_2pi * expf(-0.5f * x * x);
        dinp[i] += dout[i] * (cdf + x * pdf);
    }
}
