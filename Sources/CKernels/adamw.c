#include "dispatch.h"

/* One element; `gradient` already scaled. A zero gradient gives what torch.optim.AdamW does for
   it: the moments decay, and the bias-corrected step and the decay still move p. */
CK_INLINE void adamw_element(float *p, float gradient, float *m, float *v, float decay, const ck_adamw_constants *k) {
    float mi = k->beta1 * *m + (1 - k->beta1) * gradient;
    float vi = k->beta2 * *v + (1 - k->beta2) * gradient * gradient;
    float mHat = mi / k->correction1, vHat = vi / k->correction2;
    *p = *p * decay - k->learning_rate * mHat / (ck_sqrt(vHat) + k->epsilon);
    *m = mi;
    *v = vi;
}

CK_KERNEL(ck_adamw_update,
          (float *p, const float *g, float *m, float *v, long count, float decay, const ck_adamw_constants *constants),
          (p, g, m, v, count, decay, constants)) {
    const ck_adamw_constants k = *constants;
    for (long i = 0; i < count; i++) adamw_element(p + i, g[i] * k.gradient_scale, m + i, v + i, decay, &k);
}

CK_KERNEL(ck_adamw_update_without_gradient,
          (float *p, float *m, float *v, long count, float decay, const ck_adamw_constants *constants),
          (p, m, v, count, decay, constants)) {
    const ck_adamw_constants k = *constants;
    for (long i = 0; i < count; i++) adamw_element(p + i, 0, m + i, v + i, decay, &k);
}
