#include "cicu.h"
#include <unicode/uregex.h>
#include <unicode/utypes.h>

/* The handle is ICU's own object; the struct name only keeps ICU types out of the header. */
#define ICU(regex) ((URegularExpression *)(regex))

/* ICU counts a match's work in steps of its engine (about 10,000 loop iterations each, the same
   on every machine). Tokenizer pieces are short: a find that needs more than this many steps is
   backtracking catastrophically, and fails instead of running without end. */
enum { MATCH_STEP_LIMIT = 2000 };

static void limit_steps(URegularExpression *regex, UErrorCode *status) {
    uregex_setTimeLimit(regex, MATCH_STEP_LIMIT, status);
}

dsp_regex *dsp_regex_open(const uint16_t *pattern, int32_t len, int32_t *err, int32_t *err_offset) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse = {0};
    parse.offset = -1;
    /* Oniguruma (Ruby syntax): ^/$ match at line boundaries and only \n is a line terminator
       (for ., ^ and $); ICU's defaults are whole-input anchors and seven terminators. */
    URegularExpression *regex = uregex_open((const UChar *)pattern, len, UREGEX_MULTILINE | UREGEX_UNIX_LINES,
                                            &parse, &status);
    if (U_SUCCESS(status)) limit_steps(regex, &status);
    *err = U_SUCCESS(status) ? 0 : (int32_t)status;
    *err_offset = parse.offset;
    if (U_FAILURE(status)) {
        if (regex) uregex_close(regex);
        return NULL;
    }
    return (dsp_regex *)regex;
}

dsp_regex *dsp_regex_clone(const dsp_regex *regex, int32_t *err) {
    UErrorCode status = U_ZERO_ERROR;
    URegularExpression *copy = uregex_clone(ICU(regex), &status);
    if (U_SUCCESS(status)) limit_steps(copy, &status);
    *err = U_SUCCESS(status) ? 0 : (int32_t)status;
    if (U_FAILURE(status)) {
        if (copy) uregex_close(copy);
        return NULL;
    }
    return (dsp_regex *)copy;
}

void dsp_regex_close(dsp_regex *regex) {
    if (regex) uregex_close(ICU(regex));
}

int32_t dsp_regex_set_text(dsp_regex *regex, const uint16_t *text, int32_t len) {
    UErrorCode status = U_ZERO_ERROR;
    static const UChar empty[1] = {0};
    uregex_setText(ICU(regex), len > 0 ? (const UChar *)text : empty, len, &status);
    return U_SUCCESS(status) ? 0 : (int32_t)status;
}

int dsp_regex_find(dsp_regex *regex, int32_t from, int32_t *start, int32_t *end) {
    UErrorCode status = U_ZERO_ERROR;
    UBool found = uregex_find(ICU(regex), from, &status);
    if (status == U_REGEX_TIME_OUT || status == U_REGEX_STACK_OVERFLOW) return -2;
    if (U_FAILURE(status)) return -1;
    if (!found) return 0;
    *start = uregex_start(ICU(regex), 0, &status);
    *end = uregex_end(ICU(regex), 0, &status);
    return U_SUCCESS(status) ? 1 : -1;
}

const char *dsp_error_name(int32_t err) { return u_errorName((UErrorCode)err); }
