# Sourced by tool scripts: sets $dsprep to $DSPREP_BIN when given, else builds dsprep in release
# mode (scratch folder $DSPREP_SCRATCH_PATH, default .build) and points at that binary.
if [ -n "${DSPREP_BIN:-}" ]; then
  dsprep="$DSPREP_BIN"
else
  scratch="${DSPREP_SCRATCH_PATH:-.build}"
  swift build -c release --scratch-path "$scratch" --product dsprep >&2
  dsprep="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/dsprep"
fi
