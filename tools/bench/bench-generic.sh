#!/usr/bin/env bash
# Benchmark (and full-corpus ids check) of the generic stage-by-stage pipeline, with the tokenizers
# tools/bench/make-bench-tokenizers.py builds over the KR-BERT character WordPiece vocabulary:
#   generic  NFC + Lowercase normalizers, WhitespaceSplit + Punctuation + Digits pre-tokenizers, BERT template
#   regex    Replace-regex normalizers (\s+ -> " ", [0-9]+ -> "0", (ㅋ|ㅎ)+ -> "ㅋ") and Split pre-tokenizers
#            (GPT-2's pattern, Isolated; then \s+ Removed)
# HF tokenizers against dsprep on the review documents through tools/bench/bench-wordpiece.sh (same run,
# ids compared, MB/s, tokens/s, ratio).
# usage: DSPREP_PYTHON=... tools/bench/bench-generic.sh [generic] [regex]   (default: both)
# env: DSPREP_BIN or DSPREP_SCRATCH_PATH as bench-wordpiece.sh
source "$(dirname "$0")/../lib/preamble.sh"
need_peer_python
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(generic regex)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" tools/bench/make-bench-tokenizers.py ../shared/vocab/krbert-char16424.txt "$work"
for name in "${names[@]}"; do
  tools/bench/bench-wordpiece.sh "$work/$name-krbert.json"
done
