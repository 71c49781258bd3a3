#ifndef DSPREP_CKERNELS_FASTMATH_H
#define DSPREP_CKERNELS_FASTMATH_H
#include "dispatch.h"

/* e^x with no libm call, so GELU's and softmax's loops vectorize: x = n·ln2 + r with |r| ≤ ln2/2,
   e^r by a degree-6 Taylor polynomial (error < 2e-8 on that interval), 2^n built in the float's
   exponent bits. Exactly 0 below −87.3 (where e^x is denormal; a masked attention score must
   weigh nothing), clamped above 88.7. Relative error within ~2 ulp. */
CK_INLINE float ck_exp(float x) {
    float clamped = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    /* Adding 1.5·2²³ rounds x·log2(e) to an integer n held in the low mantissa bits, with no
       float→int conversion. */
    const float shifter = 12582912.0f;
    float shifted = clamped * 1.44269504f + shifter;
    float n = shifted - shifter;
    /* ln2 split in a part exact in float and a correction, so n·ln2 loses no bits */
    float r = clamped - n * 0.69314575f - n * 1.4286068e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    int shiftedBits, shifterBits;
    __builtin_memcpy(&shiftedBits, &shifted, 4);
    __builtin_memcpy(&shifterBits, &shifter, 4);
    int exponentBits = (int)((unsigned)(shiftedBits - shifterBits + 127) << 23);
    float power;
    __builtin_memcpy(&power, &exponentBits, 4);
    return x < -87.3f ? 0 : p * power;
}

/* tanh(x) = sign(x)·(1 − e)/(1 + e) with e = e^(−2|x|) (no overflow for any x). */
CK_INLINE float ck_tanh(float x) {
    float e = ck_exp(-2 * __builtin_fabsf(x));
    float t = (1 - e) / (1 + e);
    return x < 0 ? -t : t;
}

#endif
