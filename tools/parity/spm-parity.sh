#!/usr/bin/env bash
# Full-corpus parity of dsprep's sentencepiece Unigram encoder with sentencepiece 0.2.3:
# ids and pieces of every document of ../shared/data/reviews/reviews.tsv (4th column) must equal
# what `sentencepiece.SentencePieceProcessor.encode` gives (spm_encode: no BOS/EOS).
#
#   tools/parity/spm-parity.sh [MODEL.model ...]      (default: ../shared/vocab/nsmc-unigram-16k.model
#                                                and tests' byte-fallback fixture model)
# Prints mismatching line counts per model and the first differences; exits 1 on any mismatch.
source "$(dirname "$0")/../lib/preamble.sh"
models=("$@")
source tools/lib/spm-corpus.sh
status=0
for model in "${models[@]}"; do
  for format in id piece; do
    "$python" - "$model" "$format" "$work/docs.txt" > "$work/ref.txt" <<'PY'
import sys, sentencepiece as spm
model, fmt, path = sys.argv[1:]
sp = spm.SentencePieceProcessor(model_file=model)
lines = open(path, encoding="utf-8", newline="\n").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
out = sys.stdout
for ids in sp.encode(lines, num_threads=1):
    if fmt == "id":
        out.write(" ".join(map(str, ids)) + "\n")
    else:
        out.write(" ".join(sp.id_to_piece(i) for i in ids) + "\n")
PY
    "$bench" --model "$model" --format "$format" "$work/docs.txt" > "$work/ours.txt" 2>/dev/null
    total=$(wc -l < "$work/ref.txt")
    mismatches=$(diff "$work/ref.txt" "$work/ours.txt" | grep -c '^<' || true)
    echo "spm-parity: $(basename "$model") $format: $mismatches mismatching of $total documents"
    if [ "$mismatches" != 0 ]; then
      status=1
      diff "$work/ref.txt" "$work/ours.txt" | head -12
    fi
  done
done
exit $status
