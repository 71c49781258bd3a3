#include "ccharsmaps.h"

extern const unsigned char dsp_charsmap_nmt_nfkc_start[], dsp_charsmap_nmt_nfkc_end[];
extern const unsigned char dsp_charsmap_nfkc_start[], dsp_charsmap_nfkc_end[];

const unsigned char *dsp_charsmap(enum dsp_charsmap_rule rule, size_t *size) {
    switch (rule) {
    case DSP_CHARSMAP_NMT_NFKC:
        *size = (size_t)(dsp_charsmap_nmt_nfkc_end - dsp_charsmap_nmt_nfkc_start);
        return dsp_charsmap_nmt_nfkc_start;
    case DSP_CHARSMAP_NFKC:
        *size = (size_t)(dsp_charsmap_nfkc_end - dsp_charsmap_nfkc_start);
        return dsp_charsmap_nfkc_start;
    }
    *size = 0;
    return 0;
}
