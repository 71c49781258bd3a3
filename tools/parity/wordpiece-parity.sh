#!/usr/bin/env bash
# Full-corpus parity: `dsprep encode --output-format json` (release build) against HF tokenizers
# (../shared/peers/reference_encode.py) on every review document of ../shared/data/reviews,
# for each WordPiece tokenizer in ../shared/vocab. Prints, per tokenizer, how many lines differ
# in ids, tokens and offsets (0 is the goal) and the first differing lines.
# usage: DSPREP_PYTHON=... tools/parity/wordpiece-parity.sh [LINES]   (LINES: only the first LINES documents)
source "$(dirname "$0")/../lib/preamble.sh"
need_peer_python
source tools/lib/dsprep-binary.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${1:-}" ]; then
  sed -n "2,$(($1 + 1))p" "$shared/data/reviews/reviews.tsv" | cut -f4 > "$work/documents.txt"
else
  tail -n +2 "$shared/data/reviews/reviews.tsv" | cut -f4 > "$work/documents.txt"
fi
echo "documents: $(wc -l < "$work/documents.txt") lines" >&2

status=0
# name | tokenizer file | reference flags | dsprep flags
while IFS='|' read -r name file reference_flags dsprep_flags; do
  # shellcheck disable=SC2086
  "$python" "$shared/peers/reference_encode.py" --tokenizer "$shared/vocab/$file" --format json $reference_flags \
    "$work/documents.txt" > "$work/reference.jsonl"
  # shellcheck disable=SC2086
  "$dsprep" encode --tokenizer "$shared/vocab/$file" --output-format json $dsprep_flags "$work/documents.txt" > "$work/dsprep.jsonl"
  "$python" - "$name" "$work/reference.jsonl" "$work/dsprep.jsonl" "$work/documents.txt" <<'PY' || status=1
import json, sys
name, reference_path, dsprep_path, documents_path = sys.argv[1:5]
with open(reference_path, encoding="utf-8") as r, open(dsprep_path, encoding="utf-8") as d, \
        open(documents_path, encoding="utf-8", newline="\n") as docs:
    reference, ours, documents = r.readlines(), d.readlines(), docs.readlines()
counts = {"ids": 0, "tokens": 0, "offsets": 0}
shown = 0
for number, (a, b) in enumerate(zip(reference, ours), 1):
    if a == b:
        continue
    a, b = json.loads(a), json.loads(b)
    for key in counts:
        if a[key] != b[key]:
            counts[key] += 1
    # Only the keys the reference prints count: dsprep also prints truncation's overflowing windows.
    if any(a[key] != b[key] for key in counts) and shown < 3:
        shown += 1
        print(f"  {name} line {number}: {documents[number - 1].rstrip(chr(10))!r}\n    reference {a}\n    dsprep    {b}")
lines_ok = len(reference) == len(ours)
print(f"{name}: {len(reference)} reference lines, {len(ours)} dsprep lines; mismatches ids={counts['ids']} "
      f"tokens={counts['tokens']} offsets={counts['offsets']}")
sys.exit(0 if lines_ok and not any(counts.values()) else 1)
PY
done <<'LIST'
krbert-char16424.json|krbert-char16424.json||
nsmc-wordpiece-16k.json|nsmc-wordpiece-16k.json||
minilm-l6-tokenizer.json|minilm-l6-tokenizer.json||
bert-base-uncased.txt|bert-base-uncased.txt||
krbert-char16424.txt (cased)|krbert-char16424.txt|--cased|--cased
LIST
exit $status
