# Sourced first by the tool scripts that work from the repository root:
#   source "$(dirname "$0")/../lib/preamble.sh"      (a script in tools/FOLDER/)
#   source "$(dirname "$0")/lib/preamble.sh"         (a script in tools/ itself)
# Strict mode, then the repository root as working directory, found from this file's own place so
# it is right however deep the script sits and wherever it is started from: the scripts name
# every path from the root (tools/..., vocab/, ../shared).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# The big reference data (NSMC, KorSTS, the review corpus, reference tokenizers) beside the clone.
shared="${DSPREP_SHARED:-../shared}"

# Sets $python to the reference venv's python ($DSPREP_PYTHON), for scripts that cannot run without it.
need_peer_python() {
  python="${DSPREP_PYTHON:-}"
  [ -n "$python" ] || { echo "$(basename "$0"): set DSPREP_PYTHON to the reference venv python (tools/setup/setup-peers.sh)" >&2; exit 1; }
}
