#!/usr/bin/env bash
# Builds the PyTorch + HF Trainer venv that tools/bench/bench-train.sh races dsprep's trainer against.
# It is separate from the CI peer venv (tools/setup/setup-peers.sh): CI never needs torch.
# CPU torch comes from PyTorch's CPU wheel index when it is reachable, else from PyPI (whose
# Linux wheel also pulls the CUDA libraries; they are unused on a CPU-only machine).
# usage: tools/setup/setup-torch-peer.sh [VENV_DIR]   (default: $DSPREP_TORCH_VENV or ~/.cache/dsprep-torch)
# Prints the venv's python path last. Safe to run again: it installs only what is missing.
set -euo pipefail
venv="${1:-${DSPREP_TORCH_VENV:-$HOME/.cache/dsprep-torch}}"
torch_version=2.15.0
transformers_version=5.23.0
accelerate_version=1.15.0
sentence_transformers_version=6.3.0  # loads dsprep's bi-encoder checkpoints in the export tests
datasets_version=5.2.0  # sentence-transformers' trainer reads its rows from a datasets.Dataset (finetune-peer.py --task korsts-bi)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
pip=("$venv/bin/pip" install -q --disable-pip-version-check)
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  "${pip[@]}" --retries 0 --timeout 15 --index-url https://download.pytorch.org/whl/cpu "torch==$torch_version" >&2 \
    || "${pip[@]}" "torch==$torch_version" >&2
fi
if ! "$venv/bin/python" -c 'import transformers, accelerate, tokenizers' 2>/dev/null; then
  "${pip[@]}" "transformers==$transformers_version" "accelerate==$accelerate_version" numpy >&2
fi
if ! "$venv/bin/python" -c 'import sentence_transformers, datasets' 2>/dev/null; then
  "${pip[@]}" "sentence-transformers==$sentence_transformers_version" "datasets==$datasets_version" >&2
fi
echo "$venv/bin/python"
