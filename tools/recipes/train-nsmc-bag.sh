#!/usr/bin/env bash
# NSMC from scratch with the bag model: tokenize ../shared/data/nsmc with the KR-BERT character
# vocabulary, train with tools/recipes/train-nsmc-bag.yaml (release build), evaluate on the test split.
# Usage: tools/recipes/train-nsmc-bag.sh [OUT_DIR]   (default /tmp/dsprep-nsmc-bag)
source "$(dirname "$0")/../lib/preamble.sh"
out=${1:-/tmp/dsprep-nsmc-bag}
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product dsprep
dsprep=$scratch/release/dsprep
tokenizer=$shared/vocab/krbert-char16424.json
"$dsprep" tokenize "$shared/data/nsmc/train.tsv" "$shared/data/nsmc/test.tsv" --tokenizer "$tokenizer" \
    --out "$out/shards" --max-length 128 --quiet
rm -rf "$out/run"
/usr/bin/time -f "train wall %e s, max RSS %M KB" \
    "$dsprep" train --config tools/recipes/train-nsmc-bag.yaml --train "$out/shards" --eval "$out/shards" \
    --tokenizer "$tokenizer" --out "$out/run" --quiet
last=$out/run/checkpoint-$(ls -d "$out"/run/checkpoint-* | sed 's/.*checkpoint-//' | sort -n | tail -1)
echo "test metrics of the last checkpoint ($last):"
"$dsprep" evaluate "$last" "$out/shards" --output-format json
