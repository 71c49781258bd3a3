#include "cicu.h"
#include <unicode/unorm2.h>

static const UNormalizer2 *instance(int form, UErrorCode *status) {
    switch (form) {
    case DSP_NFC: return unorm2_getNFCInstance(status);
    case DSP_NFD: return unorm2_getNFDInstance(status);
    case DSP_NFKC: return unorm2_getNFKCInstance(status);
    default: return unorm2_getNFKDInstance(status);
    }
}

int32_t dsp_normalize(int form, const uint16_t *src, int32_t len, uint16_t *dst, int32_t cap,
                      int32_t *err) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = instance(form, &status);
    int32_t written = 0;
    if (U_SUCCESS(status))
        written = unorm2_normalize(normalizer, (const UChar *)src, len, (UChar *)dst, cap, &status);
    *err = (status == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(status)) ? 0 : (int32_t)status;
    return written;
}

int dsp_is_normalized(int form, const uint16_t *src, int32_t len, int32_t *err) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = instance(form, &status);
    UBool result = 0;
    if (U_SUCCESS(status)) result = unorm2_isNormalized(normalizer, (const UChar *)src, len, &status);
    *err = U_SUCCESS(status) ? 0 : (int32_t)status;
    return result ? 1 : 0;
}
