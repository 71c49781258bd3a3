#!/usr/bin/env bash
# Builds the Python venv with the pinned reference libraries dsprep is compared against
# (HF tokenizers, sentencepiece, datasets, pyarrow). Prints the venv's python path last.
# usage: tools/setup/setup-peers.sh [VENV_DIR]   (default: $DSPREP_PEERS_VENV or ~/.cache/dsprep-peers)
# Safe to run again: it installs only what is missing.
set -euo pipefail
venv="${1:-${DSPREP_PEERS_VENV:-$HOME/.cache/dsprep-peers}}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
if ! "$venv/bin/python" -c 'import tokenizers, sentencepiece, datasets, pyarrow, yaml' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check \
    tokenizers==0.23.3 sentencepiece==0.2.3 datasets==5.2.0 pyarrow==26.0.1 \
    numpy scipy scikit-learn protobuf pyyaml >&2
fi
echo "$venv/bin/python"
