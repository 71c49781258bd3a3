#!/usr/bin/env bash
# Training throughput of dsprep against PyTorch + HF Trainer, same machine, same run (issue 8).
# Both train the same model for sequence classification on NSMC train tokenized to at most 128 tokens,
# batch 32 with dynamic padding, AdamW with clipping, 2 threads; samples/s exclude warm-up steps.
# The model is the tiny BERT of issue 8 from scratch (4 layers, hidden 256, 4 heads, ffn 1024, 128
# positions, KR-BERT character vocabulary), or with --model DIR an HF model folder fine-tuned with its
# own tokenizer (tools/bench/bench-finetune.sh: multilingual-e5-small, length-grouped).
#   1. PyTorch: tools/bench/bench-train-peer.py (HF Trainer, DataCollatorWithPadding) in the venv that
#      tools/setup/setup-torch-peer.sh builds; it also writes every row's token count.
#   2. dsprep: TrainBench (release) batches rows of those token counts the same way (--order random:
#      shuffled, HF's default sampler; grouped: HF's LengthGroupedSampler, what `dsprep train` does),
#      padded to the longest row, through BertModel forward/backward, clipping and AdamW.
# GFLOPS count the matrix products each side computes: PyTorch multiplies padded batches, dsprep only
# the unpadded tokens (`PackedBatch`); the ratio line compares samples/s. With OPENBLAS_CORETYPE set, dsprep
# runs twice: under that setting and with OpenBLAS's own kernels for the CPU, as PyTorch's follow the CPU.
# usage: tools/bench/bench-train.sh [--steps N] [--warmup N] [--order random|grouped] [--model DIR]
source "$(dirname "$0")/../lib/preamble.sh"
scratch=${SCRATCH_PATH:-.build}
steps=40 warmup=5 order=random
source=(--tokenizer "$shared/vocab/krbert-char16424.json") model=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --order) order=$2; shift 2 ;;
    --model) source=(--model "$2"); model=(--model "$2"); shift 2 ;;
    *) echo "usage: $0 [--steps N] [--warmup N] [--order random|grouped] [--model DIR]" >&2; exit 2 ;;
  esac
done
case "$order" in random) group=() ;; grouped) group=(--group-by-length) ;; *) echo "--order is random or grouped" >&2; exit 2 ;; esac
python=$(tools/setup/setup-torch-peer.sh)
swift build -c release --scratch-path "$scratch" --product TrainBench >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== PyTorch + HF Trainer ($order batches)" >&2
"$python" tools/bench/bench-train-peer.py --data "$shared/data/nsmc/train.tsv" "${source[@]}" \
    --steps "$steps" --warmup "$warmup" "${group[@]}" --lengths-out "$work/lengths.txt" 2>"$work/peer.log" | tail -1 > "$work/peer.json" \
    || { cat "$work/peer.log" >&2; exit 1; }
vocab=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["vocab_size"])' "$work/peer.json")

dsprep_run() {  # $1: output file; the rest: a command prefix (env settings)
  local out=$1; shift
  "$@" "$scratch/release/TrainBench" --lengths "$work/lengths.txt" --order "$order" --vocab "$vocab" --length 128 "${model[@]}" \
      --steps "$steps" --warmup "$warmup" | tee "$out" >&2
}
echo "== dsprep ($order batches)" >&2
dsprep_run "$work/dsprep.txt"
runs=("$work/dsprep.txt")
# PyTorch picks its kernels from the CPU (ATen's CPU capability, MKL; OPENBLAS_CORETYPE does not reach
# them): when the environment holds OpenBLAS to kernels of its choice, dsprep also runs with OpenBLAS's own.
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "== dsprep ($order batches), OpenBLAS's own kernel choice (OPENBLAS_CORETYPE unset)" >&2
  dsprep_run "$work/dsprep-own.txt" env -u OPENBLAS_CORETYPE
  runs+=("$work/dsprep-own.txt")
fi

"$python" - "$work/peer.json" "${runs[@]}" <<'PY'
import json, sys
peer = json.load(open(sys.argv[1]))
c, f, layers = peer["hidden_size"], peer["intermediate_size"], peer["num_hidden_layers"]
# matrix-product FLOPs of the padded batches PyTorch multiplied (forward ×3 for training)
flops = 3 * layers * (2 * peer["padded_tokens"] * (4 * c * c + 2 * c * f) + 4 * peer["sum_t_squared"] * c)
peer_gflops = flops / peer["seconds"] / 1e9
print(f"PyTorch {peer['torch']} + transformers {peer['transformers']} ({peer['threads']} threads, {peer['cpu_capability']} kernels): "
      f"{peer['samples_per_second']:.1f} samples/s, {peer_gflops:.1f} GFLOPS on padded batches "
      f"({peer['padded_tokens'] / peer['steps'] / peer['batch_size']:.1f} tokens/row), peak RSS {peer['peak_rss_mb']:.0f} MB")
for path in sys.argv[2:]:
    ours = json.loads(open(path).read().strip().splitlines()[-1])
    print(f"dsprep: {ours['samples_per_second']:.1f} samples/s, {ours['gflops']:.1f} GFLOPS on unpadded tokens "
          f"({ours['tokens_per_row']:.1f} tokens/row; OpenBLAS {ours['blas_core']} kernels, Matmul.gemm 512³ peak {ours['gemm_peak_gflops']:.1f} GFLOPS, "
          f"{100 * ours['gflops'] / ours['gemm_peak_gflops']:.0f}% of it), peak RSS {ours['peak_rss_mb']:.0f} MB")
    print(f"ratio dsprep ({ours['blas_core']}) / PyTorch: {ours['samples_per_second'] / peer['samples_per_second']:.2f}x")
PY
