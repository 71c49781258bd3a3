#ifndef CCHARSMAPS_H
#define CCHARSMAPS_H

#include <stddef.h>

/// sentencepiece's named rules that have a precompiled charsmap here.
enum dsp_charsmap_rule { DSP_CHARSMAP_NMT_NFKC, DSP_CHARSMAP_NFKC };

/// The rule's charsmap bytes, built into the binary from charsmaps.S; `size` receives their count.
const unsigned char *dsp_charsmap(enum dsp_charsmap_rule rule, size_t *size);

#endif
