#ifndef DSPREP_CKERNELS_DISPATCH_H
#define DSPREP_CKERNELS_DISPATCH_H
#include "ckernels.h"

/* CK_KERNEL(name, (parameters), (arguments)) { body } defines the public `name` from one body:
   the body is an always-inline function, instantiated in a wrapper compiled for AVX2+FMA and in
   one compiled for the baseline, and `name` calls the one `ck_avx2_active()` selects. Inlined into
   the AVX2 wrapper, the same loops vectorize 8 floats wide and contract a·b + c into FMA, so the
   two versions can differ in the last bit. Within a version, an element's result does not depend
   on whether it falls in the vector loop or a scalar tail (no reassociation; sums use ck_f8). */
#if defined(__x86_64__)
#define CK_KERNEL(name, parameters, arguments)                                                   \
    static inline __attribute__((always_inline)) void name##_body parameters;                     \
    __attribute__((target("avx2,fma"))) static void name##_avx2 parameters { name##_body arguments; } \
    static void name##_baseline parameters { name##_body arguments; }                             \
    void name parameters {                                                                        \
        if (ck_avx2_active()) name##_avx2 arguments; else name##_baseline arguments;              \
    }                                                                                             \
    static inline __attribute__((always_inline)) void name##_body parameters
#else
#define CK_KERNEL(name, parameters, arguments) void name parameters
#endif

/* Helpers the kernel bodies call: always inlined, so they compile for the wrapper's target. */
#define CK_INLINE static inline __attribute__((always_inline))

/* Eight float lanes (two SSE registers in the baseline, one AVX register with AVX2), for sums
   kept in 8 partial sums: the same order, hence the same result, in both versions. */
typedef float ck_f8 __attribute__((vector_size(32)));
/* The helpers below pass ck_f8 by value; always inlined, so the warning about the AVX calling
   convention of such calls in baseline code does not apply. */
#pragma clang diagnostic ignored "-Wpsabi"

CK_INLINE ck_f8 ck_splat(float value) { return (ck_f8){value, value, value, value, value, value, value, value}; }

CK_INLINE ck_f8 ck_load(const float *p) {
    ck_f8 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

CK_INLINE void ck_store(float *p, ck_f8 v) { __builtin_memcpy(p, &v, sizeof v); }

/* The first `count` (< 8) floats at p, the other lanes `fill`. */
CK_INLINE ck_f8 ck_load_tail(const float *p, long count, float fill) {
    ck_f8 v = ck_splat(fill);
    for (long k = 0; k < count; k++) v[k] = p[k];
    return v;
}

/* Lane sum in a fixed tree. */
CK_INLINE float ck_add_lanes(ck_f8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

/* √x without errno handling (a sqrtf call that may set errno keeps loops from vectorizing). */
CK_INLINE float ck_sqrt(float x) { return __builtin_elementwise_sqrt(x); }

#endif
