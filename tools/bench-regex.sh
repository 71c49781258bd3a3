#!/usr/bin/env bash
# Benchmark and full-corpus parity of regex components: a tokenizer.json with Replace-regex
# normalizers (\s+ -> " ", [0-9]+ -> "0", (ㅋ|ㅎ)+ -> "ㅋ") and Split pre-tokenizers (GPT-2's
# pattern, Isolated; then \s+ Removed) over the KR-BERT character WordPiece vocabulary
# (tools/make-bench-tokenizers.py), encoded by HF tokenizers and by dsprep on the review documents
# through tools/bench-wordpiece.sh (same run, ids compared, MB/s, tokens/s, ratio).
# usage: DSPREP_PYTHON=... tools/bench-regex.sh    env: DSPREP_BIN or DSPREP_SCRATCH_PATH as bench-wordpiece.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${DSPREP_PYTHON:?set DSPREP_PYTHON to the reference venv python (tools/setup-peers.sh)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" tools/make-bench-tokenizers.py ../shared/vocab/krbert-char16424.txt "$work"
tools/bench-wordpiece.sh "$work/regex-krbert.json"
