#!/usr/bin/env bash
# Benchmark (and full-corpus ids check) of the generic stage-by-stage pipeline, with the tokenizers
# tools/make-bench-tokenizers.py builds over the KR-BERT character WordPiece vocabulary:
#   generic  NFC + Lowercase normalizers, WhitespaceSplit + Punctuation + Digits pre-tokenizers, BERT template
#   regex    Replace-regex normalizers (\s+ -> " ", [0-9]+ -> "0", (ㅋ|ㅎ)+ -> "ㅋ") and Split pre-tokenizers
#            (GPT-2's pattern, Isolated; then \s+ Removed)
# HF tokenizers against dsprep on the review documents through tools/bench-wordpiece.sh (same run,
# ids compared, MB/s, tokens/s, ratio).
# usage: DSPREP_PYTHON=... tools/bench-generic.sh [generic] [regex]   (default: both)
# env: DSPREP_BIN or DSPREP_SCRATCH_PATH as bench-wordpiece.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${DSPREP_PYTHON:?set DSPREP_PYTHON to the reference venv python (tools/setup-peers.sh)}"
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(generic regex)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" tools/make-bench-tokenizers.py ../shared/vocab/krbert-char16424.txt "$work"
for name in "${names[@]}"; do
  tools/bench-wordpiece.sh "$work/$name-krbert.json"
done
