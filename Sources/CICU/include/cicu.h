#ifndef DSPREP_CICU_H
#define DSPREP_CICU_H
#include <stdint.h>

/* Unicode normalization forms, as dsprep names them. */
enum { DSP_NFC = 0, DSP_NFD = 1, DSP_NFKC = 2, DSP_NFKD = 3 };

/* Normalizes UTF-16 `src` (`len` units) into `dst` (capacity `cap` units) and returns the
   normalized length. When it exceeds `cap`, nothing useful is in `dst`: call again with a buffer
   of the returned size. `*err` is 0 on success, non-zero on an ICU error. */
int32_t dsp_normalize(int form, const uint16_t *src, int32_t len, uint16_t *dst, int32_t cap,
                      int32_t *err);

/* 1 when `src` is already in the given form (so no copy is needed), 0 otherwise. */
int dsp_is_normalized(int form, const uint16_t *src, int32_t len, int32_t *err);

#endif
