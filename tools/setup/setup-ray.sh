#!/usr/bin/env bash
# Builds the venv with the pinned Ray and the dsprep-ray launcher (python/), for the scale-out
# tests and tools/bench/bench-scale-out.sh. Prints the venv's python path last.
# usage: tools/setup/setup-ray.sh [VENV_DIR]   (default: $DSPREP_RAY_VENV or ~/.cache/dsprep-ray)
# Safe to run again: Ray is installed only when missing; the launcher is reinstalled each time
# (it is small, and the checkout may have changed).
source "$(dirname "$0")/../lib/preamble.sh"
venv="${1:-${DSPREP_RAY_VENV:-$HOME/.cache/dsprep-ray}}"
ray_version="$(sed -n 's/.*"ray==\([0-9.]*\)".*/\1/p' python/pyproject.toml)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
if [ "$("$venv/bin/python" -c 'import ray; print(ray.__version__)' 2>/dev/null)" != "$ray_version" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check "ray==$ray_version" >&2
fi
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall ./python >&2
echo "$venv/bin/python"
