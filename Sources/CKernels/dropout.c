#include "dispatch.h"

CK_KERNEL(ck_dropout_apply,
          (float *out, const float *inp, long count, float probability, float keep, uint64_t key, uint64_t first_index),
          (out, inp, count, probability, keep, key, first_index)) {
    for (long i = 0; i < count; i++) {
        /* 24 bits fit an int32, whose conversion to float vectorizes (a uint64's does not) */
        float uniform = (float)(int32_t)(ck_mix(key ^ (first_index + (uint64_t)i)) >> 40) * (1.0f / 16777216);
        float mask = uniform < probability ? 0 : keep;
        out[i] = inp[i] * mask;
    }
}
