# Sourced by the sentencepiece full-corpus scripts (tools/bench/spm-bench.sh, tools/parity/spm-parity.sh,
# tools/parity/spm-hf-parity.sh) after the preamble and after they set the array $models (their
# model arguments, maybe none). Sets $python (the reference venv), $models when empty (the NSMC
# 16k model and the tests' byte-fallback fixture model), $bench (a release spm-bench), and $work, a temporary folder removed on exit that
# holds docs.txt: the review documents (4th column of reviews.tsv, header dropped). Exits 2
# without ../shared ($shared, from the preamble).
python="${DSPREP_PYTHON:-$(tools/setup/setup-peers.sh)}"
corpus="$shared/data/reviews/reviews.tsv"
[ -f "$corpus" ] || { echo "$(basename "$0"): $corpus not found (needs ../shared)" >&2; exit 2; }
if [ ${#models[@]} -eq 0 ]; then
  models=("$shared/vocab/nsmc-unigram-16k.model" Tests/TokenizersTests/Fixtures/spm/nsmc-bytefallback-2k.model)
fi
source tools/lib/release-binary.sh
bench="$(release_binary spm-bench)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tail -n +2 "$corpus" | cut -f4 > "$work/docs.txt"
