#!/usr/bin/env bash
# Rebuilds the tokenizers dsprep ships in vocab/ from the CC0 NSMC reviews (../shared/data/nsmc)
# with `dsprep vocab train`, and checks that they come out byte for byte as committed.
# usage: tools/reproduce-vocab.sh [--write]   (--write replaces the files in vocab/ instead of checking)
# env: DSPREP_BIN (a built dsprep; a release build trains in seconds) or DSPREP_SCRATCH_PATH
#      (build folder for a release build, default .build)
source "$(dirname "$0")/lib/preamble.sh"
mode="${1:-check}"
corpus="../shared/data/nsmc/train.tsv"
[ -f "$corpus" ] || { echo "reproduce-vocab: $corpus is absent" >&2; exit 2; }
source tools/lib/dsprep-binary.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Korean WordPiece, 16,000 tokens: the `document` column, cased BERT normalization, HF defaults
# (special tokens [PAD] [UNK] [CLS] [SEP] [MASK], no alphabet limit, min frequency 0).
"$dsprep" vocab train --model wordpiece --vocab-size 16000 --text-column document --quiet "$corpus" --out "$work/wordpiece"
cp "$work/wordpiece/tokenizer.json" "$work/dsprep-ko-wordpiece-16k.json"
cp "$work/wordpiece/vocab.txt" "$work/dsprep-ko-wordpiece-16k.txt"
# The default tokenizer of `dsprep tokenize` is a plain copy of the Korean WordPiece.
cp "$work/wordpiece/tokenizer.json" "$work/default-tokenizer.json"

# Korean sentencepiece Unigram, 16,000 pieces: the same documents, sentencepiece's defaults
# (nmt_nfkc, character coverage 0.9995, <unk> <s> </s>).
"$dsprep" vocab train --model unigram --vocab-size 16000 --text-column document --quiet "$corpus" --out "$work/dsprep-ko-unigram-16k.model"

status=0
for file in dsprep-ko-wordpiece-16k.json dsprep-ko-wordpiece-16k.txt default-tokenizer.json dsprep-ko-unigram-16k.model; do
  if [ "$mode" = "--write" ]; then
    cp "$work/$file" "vocab/$file"
    echo "wrote vocab/$file"
  elif cmp -s "$work/$file" "vocab/$file"; then
    echo "vocab/$file: reproduced byte for byte"
  else
    echo "vocab/$file: DIFFERS from a fresh training run" >&2
    status=1
  fi
done
exit $status
