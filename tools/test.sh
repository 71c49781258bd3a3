#!/usr/bin/env bash
# Runs the whole test suite. Tests that compare against the Python references (pyarrow,
# datasets, tokenizers, sentencepiece) use the venv from tools/setup/setup-peers.sh; tests that need the
# big files in ../shared say so and skip when it is absent.
source "$(dirname "$0")/lib/preamble.sh"
bash tools/setup/install-system-packages.sh
if python="$(tools/setup/setup-peers.sh)"; then
  export DSPREP_PYTHON="$python"
elif [ "${CI:-}" = "true" ]; then
  echo "tools/test.sh: the Python reference venv could not be built; CI needs it" >&2
  exit 1
else
  echo "tools/test.sh: no Python reference venv: interop tests will skip" >&2
fi
# The scale-out tests run the dsprep-ray launcher (python/) on a local, loopback-only Ray with the
# pinned version. CI builds its venv; elsewhere DSPREP_TEST_RAY=1 asks for it (Ray is a large download).
if [ "${CI:-}" = "true" ] || [ "${DSPREP_TEST_RAY:-}" = "1" ]; then
  DSPREP_RAY_PYTHON="$(tools/setup/setup-ray.sh | tail -1)"
  export DSPREP_RAY_PYTHON
fi
# Fine-tuning parity runs transformers + torch live on the pretrained models ../shared/models
# builds. CI does both; elsewhere DSPREP_TEST_TORCH=1 asks for them (torch is a large download).
if [ -d ../shared/models ] && { [ "${CI:-}" = "true" ] || [ "${DSPREP_TEST_TORCH:-}" = "1" ]; }; then
  export DSPREP_MODELS="${DSPREP_MODELS:-$HOME/.cache/dsprep-models}"
  bash ../shared/models/fetch-models.sh "$DSPREP_MODELS" >&2
  DSPREP_TORCH_PYTHON="$(tools/setup/setup-torch-peer.sh | tail -1)"
  export DSPREP_TORCH_PYTHON
fi
# CI has every prerequisite (../shared beside the clone, the venv): there a test that would skip
# for a missing one fails instead, so a regression cannot pass as a skip.
if [ "${CI:-}" = "true" ] && [ -d ../shared ]; then
  export DSPREP_TESTS_STRICT=1
fi
swift build --build-tests
# Tool checks on the big reference data (CI has ../shared beside the clone; a user's clone may not).
if [ -d ../shared/data ]; then
  DSPREP_BIN=.build/debug/dsprep bash tools/reproduce-vocab.sh
else
  echo "tools/test.sh: ../shared is absent: skipping the vocabulary reproduction check" >&2
fi
swift test --skip-build --disable-swift-testing
