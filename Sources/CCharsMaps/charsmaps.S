// The precompiled charsmaps sentencepiece 0.2.3 (Apache-2.0) compiles for its named normalization
// rules, as its trainer writes them into a model (normalizer_spec.precompiled_charsmap). The .bin
// files are made by tools/fixtures/generate-spm-charsmaps.py; .incbin puts them into the binary,
// so a dsprep executable needs no resource folder beside it.
    .section .rodata
    .balign 16
    .globl dsp_charsmap_nmt_nfkc_start, dsp_charsmap_nmt_nfkc_end
dsp_charsmap_nmt_nfkc_start:
    .incbin "nmt_nfkc.bin"
dsp_charsmap_nmt_nfkc_end:
    .balign 16
    .globl dsp_charsmap_nfkc_start, dsp_charsmap_nfkc_end
dsp_charsmap_nfkc_start:
    .incbin "nfkc.bin"
dsp_charsmap_nfkc_end:
    .section .note.GNU-stack, "", @progbits
