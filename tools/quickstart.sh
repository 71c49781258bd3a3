#!/usr/bin/env bash
# The main job on the bundled sample, from a fresh Debian machine with Swift installed:
# installs the system packages, builds dsprep in release mode, tokenizes the NSMC sample
# (train + test splits) into token shards with the default Korean tokenizer, shows them, and
# trains the fastText-like bag classifier on them (a few seconds), evaluating on the test split.
source "$(dirname "$0")/lib/preamble.sh"
bash tools/setup/install-system-packages.sh
swift build -c release --product dsprep
dsprep=.build/release/dsprep
"$dsprep" tokenize data/nsmc-sample/train.tsv data/nsmc-sample/test.tsv --out out/nsmc-sample --max-length 128
"$dsprep" inspect out/nsmc-sample --rows 3
"$dsprep" train --config tools/recipes/train-nsmc-bag.yaml --epochs 5 --train out/nsmc-sample --eval out/nsmc-sample \
  --tokenizer vocab/default-tokenizer.json --out out/nsmc-sample-model
