#!/usr/bin/env bash
# Training throughput of dsprep's BERT encoder (release build): samples/s of forward + backward +
# AdamW on random tokens, and GFLOPS reached against cblas_sgemm's peak on this machine.
# Default shape is the issue's tiny BERT: 4 layers, hidden 256, 4 heads, ffn 1024, batch 32, length 128.
# Extra arguments go to the benchmark (e.g. --length 48 for an NSMC-like padded length).
# The PyTorch + HF Trainer peer is not in the reference venv (no torch); see the report for its number.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product TrainBench >&2
"$scratch/release/TrainBench" "$@"
