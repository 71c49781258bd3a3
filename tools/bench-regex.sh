#!/usr/bin/env bash
# Benchmark and full-corpus parity of regex components: a tokenizer.json with Replace-regex
# normalizers (\s+ -> " ", [0-9]+ -> "0", (ㅋ|ㅎ)+ -> "ㅋ") and Split pre-tokenizers (GPT-2's
# pattern, Isolated; then \s+ Removed) over the KR-BERT character WordPiece vocabulary, encoded by
# HF tokenizers and by dsprep on the review documents through tools/bench-wordpiece.sh (same run,
# ids compared, MB/s, tokens/s, ratio).
# usage: DSPREP_PYTHON=... tools/bench-regex.sh    env: DSPREP_BIN or DSPREP_SCRATCH_PATH as bench-wordpiece.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${DSPREP_PYTHON:?set DSPREP_PYTHON to the reference venv python (tools/setup-peers.sh)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" - ../shared/vocab/krbert-char16424.txt "$work/regex-krbert.json" <<'PY'
import sys
from tokenizers import Regex, Tokenizer, models, normalizers as N, pre_tokenizers as P
vocab, out = sys.argv[1:3]
gpt2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
tok = Tokenizer(models.WordPiece.from_file(vocab, unk_token="[UNK]"))
tok.normalizer = N.Sequence([N.Replace(Regex(r"\s+"), " "), N.Replace(Regex(r"[0-9]+"), "0"),
                             N.Replace(Regex(r"(ㅋ|ㅎ)+"), "ㅋ")])
tok.pre_tokenizer = P.Sequence([P.Split(Regex(gpt2), "isolated"), P.Split(Regex(r"\s+"), "removed")])
tok.save(out)
PY
tools/bench-wordpiece.sh "$work/regex-krbert.json"
