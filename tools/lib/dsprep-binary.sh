# Sourced by tool scripts: sets $dsprep to $DSPREP_BIN when given, else builds dsprep in release
# mode (scratch folder $DSPREP_SCRATCH_PATH, default .build) and points at that binary.
source tools/lib/release-binary.sh
dsprep="${DSPREP_BIN:-}"
[ -n "$dsprep" ] || dsprep="$(release_binary dsprep)"
