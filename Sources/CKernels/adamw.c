#include "dispatch.h"

CK_KERNEL(ck_adamw_update,
          (float *p, const float *g, float *m, float *v, long count, float decay, const ck_adamw_constants *constants),
          (p, g, m, v, count, decay, constants)) {
    const ck_adamw_constants k = *constants;
    for (long i = 0; i < count; i++) {
        float gradient = g[i] * k.gradient_scale;
        float mi = k.beta1 * m[i] + (1 - k.beta1) * gradient;
        float vi = k.beta2 * v[i] + (1 - k.beta2) * gradient * gradient;
        float mHat = mi / k.correction1, vHat = vi / k.correction2;
        p[i] = p[i] * decay - k.learning_rate * mHat / (ck_sqrt(vHat) + k.epsilon);
        m[i] = mi;
        v[i] = vi;
    }
}
