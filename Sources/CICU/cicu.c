#include "cicu.h"
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/uscript.h>

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

int32_t dsp_decompose(int compat, uint32_t cp, uint32_t *out, int32_t cap) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = instance(compat ? DSP_NFKD : DSP_NFD, &status);
    if (U_FAILURE(status) || cp > 0x10FFFF) return -1;
    UChar src[2], dst[64];
    int32_t len = 0;
    UBool failed = 0;
    U16_APPEND(src, len, 2, (UChar32)cp, failed);
    if (failed) return -1;
    int32_t written = unorm2_normalize(normalizer, src, len, dst, 64, &status);
    if (U_FAILURE(status)) return -1;
    int32_t count = 0;
    for (int32_t i = 0; i < written;) {
        UChar32 c;
        U16_NEXT(dst, i, written, c);
        if (count >= cap) return -1;
        out[count++] = (uint32_t)c;
    }
    return count;
}

uint8_t dsp_combining_class(uint32_t cp) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFDInstance(&status);
    if (U_FAILURE(status) || cp > 0x10FFFF) return 0;
    return unorm2_getCombiningClass(normalizer, (UChar32)cp);
}

int32_t dsp_compose_pair(uint32_t a, uint32_t b) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status) || a > 0x10FFFF || b > 0x10FFFF) return -1;
    UChar32 result = unorm2_composePair(normalizer, (UChar32)a, (UChar32)b);
    return result < 0 ? -1 : (int32_t)result;
}

int32_t dsp_script(uint32_t cp) {
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript((UChar32)cp, &status);
    return U_SUCCESS(status) ? (int32_t)script : -1;
}
