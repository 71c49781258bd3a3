#!/usr/bin/env bash
# Training throughput of dsprep's BERT encoder (release build): samples/s of forward + backward +
# AdamW on random tokens, and GFLOPS reached against cblas_sgemm's peak on this machine.
# Default shape is the issue's tiny BERT: 4 layers, hidden 256, 4 heads, ffn 1024, batch 32, length 128.
# Extra arguments go to the benchmark (e.g. --length 48, or --lengths FILE --order random|grouped for
# rows of real token counts). tools/bench/bench-train.sh races it against PyTorch + HF Trainer on NSMC.
# --kernels instead times the step's elementwise kernels (CKernels, AVX2+FMA and baseline builds) on
# B×T rows, e.g. --kernels --length 21 --vocab 16424 for NSMC's length-grouped batches.
source "$(dirname "$0")/../lib/preamble.sh"
scratch="${SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product TrainBench >&2
"$scratch/release/TrainBench" "$@"
