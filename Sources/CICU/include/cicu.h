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

/* Full decomposition of one code point (canonical, or compatibility when `compat` is 1) into
   `out` (capacity `cap` code points); returns the count (1 and the code point itself when it
   does not decompose), or -1 on error or when `cap` is too small. */
int32_t dsp_decompose(int compat, uint32_t cp, uint32_t *out, int32_t cap);

/* Canonical combining class of a code point (0 for starters). */
uint8_t dsp_combining_class(uint32_t cp);

/* The primary composite of `a` followed by `b`, or -1 when they do not compose. */
int32_t dsp_compose_pair(uint32_t a, uint32_t b);

/* ICU script code (UScriptCode: 0 Common, 1 Inherited, 17 Han, 20 Hiragana, 22 Katakana, ...)
   of a code point, or -1 on error. */
int32_t dsp_script(uint32_t cp);

/* Regular expressions (ICU uregex), compiled with the line semantics of Oniguruma's Ruby syntax
   that HF tokenizers uses: ^ and $ at every line, and only \n ends a line. A handle is used by one
   thread at a time: give each thread its own `dsp_regex_clone`. */
typedef struct dsp_regex dsp_regex;

/* Compiles `pattern` (`len` UTF-16 units, not empty). Returns NULL on error, with the ICU error
   code in `*err` and the pattern's UTF-16 offset in `*err_offset` (-1 when unknown). */
dsp_regex *dsp_regex_open(const uint16_t *pattern, int32_t len, int32_t *err, int32_t *err_offset);
/* A handle sharing the compiled pattern, for another thread; NULL on error. */
dsp_regex *dsp_regex_clone(const dsp_regex *regex, int32_t *err);
void dsp_regex_close(dsp_regex *regex);

/* Makes `text` (`len` UTF-16 units, kept by the caller until the next call) the subject. */
int32_t dsp_regex_set_text(dsp_regex *regex, const uint16_t *text, int32_t len);

/* Finds the first match starting at or after UTF-16 index `from` (text before `from` is still
   seen by look-behind and anchors). Returns 1 with [*start, *end) set, 0 when there is none, -2
   when the match needed more than the step limit (catastrophic backtracking) or ICU's stack, -1
   on another error. */
int dsp_regex_find(dsp_regex *regex, int32_t from, int32_t *start, int32_t *end);

/* ICU's name of an error code (U_REGEX_RULE_SYNTAX, ...). */
const char *dsp_error_name(int32_t err);

#endif
