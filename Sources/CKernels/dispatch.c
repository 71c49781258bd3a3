#include "dispatch.h"

#if defined(__x86_64__)
static bool cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool ck_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}
#else
static bool cpu_has_avx2_fma(void) { return false; }
bool ck_cpu_has_avx512(void) { return false; }
#endif

/* -1 until the first call, then 0 or 1. Written once by whichever thread gets there first; all
   writers store the same value. */
static int avx2_state = -1;

bool ck_avx2_active(void) {
    int state = __atomic_load_n(&avx2_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = cpu_has_avx2_fma();
        __atomic_store_n(&avx2_state, state, __ATOMIC_RELAXED);
    }
    return state;
}

bool ck_use_avx2(bool enabled) {
    bool previous = ck_avx2_active();
    __atomic_store_n(&avx2_state, enabled && cpu_has_avx2_fma(), __ATOMIC_RELAXED);
    return previous;
}
