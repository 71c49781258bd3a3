#!/usr/bin/env bash
# Benchmark of the generic (stage-by-stage) pipeline without regex: NFC + Lowercase normalizers,
# WhitespaceSplit + Punctuation + Digits pre-tokenizers, KR-BERT character WordPiece, BERT template
# (tools/make-bench-tokenizers.py), HF tokenizers against dsprep on the review documents through
# tools/bench-wordpiece.sh (same run, ids compared, MB/s, tokens/s, ratio).
# usage: DSPREP_PYTHON=... tools/bench-generic.sh    env: DSPREP_BIN or DSPREP_SCRATCH_PATH as bench-wordpiece.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${DSPREP_PYTHON:?set DSPREP_PYTHON to the reference venv python (tools/setup-peers.sh)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" tools/make-bench-tokenizers.py ../shared/vocab/krbert-char16424.txt "$work"
tools/bench-wordpiece.sh "$work/generic-krbert.json"
