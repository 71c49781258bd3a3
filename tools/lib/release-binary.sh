# Sourced by tool scripts: `release_binary PRODUCT` builds PRODUCT in release mode (scratch folder
# $DSPREP_SCRATCH_PATH, default .build) and prints the path of the binary.
release_binary() {
  local scratch="${DSPREP_SCRATCH_PATH:-.build}"
  swift build -c release --scratch-path "$scratch" --product "$1" >&2
  echo "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/$1"
}
