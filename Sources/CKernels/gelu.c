#include "fastmath.h"

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
