#!/usr/bin/env bash
# Fine-tuning throughput of dsprep against PyTorch + HF Trainer in the same run (issue 13):
# multilingual-e5-small on NSMC train, batch 32, max length 128, 2 threads each, length-grouped
# batches on both sides (their best setting). Prints samples/s, GFLOPS, the share of Matmul.gemm's
# peak and peak memory of each side, and the ratio. Needs the models (../shared/models/fetch-models.sh).
# usage: tools/bench/bench-finetune.sh [--steps N] [--warmup N] [--model DIR]
source "$(dirname "$0")/../lib/preamble.sh"
model="${DSPREP_MODELS:-$HOME/.cache/dsprep-models}/multilingual-e5-small"
[ -f "$model/config.json" ] || { echo "no model folder at $model: run ../shared/models/fetch-models.sh" >&2; exit 1; }
exec tools/bench/bench-train.sh --order grouped --model "$model" "$@"
