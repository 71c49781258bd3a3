#!/usr/bin/env bash
# Time to open a model's weights and read every tensor as Float32: dsprep (release WeightsBench,
# through PretrainedWeights) against safetensors.torch.load_file and torch.load(weights_only=True),
# in the same run, on the same files, alternating runs (page cache warm after the first).
# The pytorch_model.bin is made once with torch from the model's safetensors, in the scratch folder.
# usage: tools/bench/bench-weights.sh [MODEL_FOLDER] [RUNS]
#   MODEL_FOLDER default ~/.cache/dsprep-models/multilingual-e5-small; RUNS default 5
#   env: DSPREP_TORCH_PYTHON (default ~/.cache/dsprep-torch/bin/python, tools/setup/setup-torch-peer.sh),
#        DSPREP_SCRATCH (default /tmp/dsprep-bench-weights): where the .bin copy goes
source "$(dirname "$0")/../lib/preamble.sh"
source tools/lib/release-binary.sh
model="${1:-$HOME/.cache/dsprep-models/multilingual-e5-small}"
runs="${2:-5}"
python="${DSPREP_TORCH_PYTHON:-$HOME/.cache/dsprep-torch/bin/python}"
scratch="${DSPREP_SCRATCH:-/tmp/dsprep-bench-weights}"
mkdir -p "$scratch"
safetensors="$model/model.safetensors"
bin="$scratch/$(basename "$model").pytorch_model.bin"
if [ ! -f "$bin" ]; then
  "$python" -c 'import sys, torch; from safetensors.torch import load_file; torch.save(load_file(sys.argv[1]), sys.argv[2])' \
    "$safetensors" "$bin"
fi
swift build -c release --scratch-path "${DSPREP_SCRATCH_PATH:-.build}" --product WeightsBench >&2  # stop here if it fails
bench="$(release_binary WeightsBench)"

peer() {  # peer FORMAT PATH: one JSON line, the same fields as WeightsBench
  "$python" - "$1" "$2" <<'PY'
import json, resource, sys, time
fmt, path = sys.argv[1], sys.argv[2]
import torch
from safetensors.torch import load_file
start = time.perf_counter()
tensors = load_file(path) if fmt == "safetensors" else torch.load(path, weights_only=True)
total = time.perf_counter() - start
# load_file maps the file lazily: copying every tensor into a fresh float32 one is what dsprep's number includes
copies = {name: t.to(torch.float32, copy=True) for name, t in tensors.items()}
copied = time.perf_counter() - start
print(json.dumps({"tool": "torch.load" if fmt == "bin" else "safetensors.load_file", "path": path, "total_s": total,
                  "copied_s": copied,
                  "tensors": len(tensors), "values": sum(t.numel() for t in tensors.values()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
PY
}

ls -l "$safetensors" "$bin" >&2
results="$scratch/results.jsonl"
: > "$results"
for run in $(seq "$runs"); do
  for format in safetensors bin; do
    path="$safetensors"; [ "$format" = bin ] && path="$bin"
    "$bench" "$path" | tee -a "$results"
    peer "$format" "$path" | tee -a "$results"
  done
done
"$python" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("\nmedian of %d runs: seconds to open + read every tensor (peers: the load call, then load + a float32 copy"
      " of every tensor); peak RSS of the process" % (len(rows) // 4))
for suffix in ["model.safetensors", "pytorch_model.bin"]:
    for tool in ["dsprep", "safetensors.load_file", "torch.load"]:
        picked = [r for r in rows if r["tool"] == tool and r["path"].endswith(suffix)]
        if picked:
            copied = "" if tool == "dsprep" else "  + copy %7.3f s" % statistics.median(r["copied_s"] for r in picked)
            print("%-18s %-22s %7.3f s%s  %5d MB  %d tensors" % (suffix, tool, statistics.median(r["total_s"] for r in picked),
                                                            copied, max(r["peak_rss_mb"] for r in picked), picked[0]["tensors"]))
PY
