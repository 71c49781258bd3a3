#!/usr/bin/env bash
# Regenerates the tokenizer parity fixtures in Tests/TokenizersTests/Fixtures/ from the
# reference (HF tokenizers through ../shared/peers/reference_encode.py):
#   tokenizer-inputs.txt             tools/fixtures/adversarial.txt + 120 review documents
#   tokenizer-expected-NAME.jsonl    {"ids","offsets"} per input line, for each tokenizer (tokens
#                                    follow from ids; tools/wordpiece-parity.sh compares them too)
#   tokenizer-expected-NAME-nospecial.jsonl   the same without special tokens (two tokenizers)
# usage: DSPREP_PYTHON=... tools/make-tokenizer-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${DSPREP_PYTHON:?set DSPREP_PYTHON to the reference venv python (tools/setup-peers.sh)}"
shared="../shared"
reference="$shared/peers/reference_encode.py"
out="Tests/TokenizersTests/Fixtures"
mkdir -p "$out"

"$python" tools/fixtures/make-adversarial.py tools/fixtures/adversarial.txt
inputs="$out/tokenizer-inputs.txt"
{
  cat tools/fixtures/adversarial.txt
  # Every 5000th review document (4th column, header skipped), at most 120: a fixed, spread-out sample.
  tail -n +2 "$shared/data/reviews/reviews.tsv" | cut -f4 | awk 'NR % 5000 == 1 && taken++ < 120' 
} > "$inputs"

# name | tokenizer file | extra reference flags
while IFS='|' read -r name file flags; do
  # shellcheck disable=SC2086
  "$python" "$reference" --tokenizer "$shared/vocab/$file" --format json $flags "$inputs" |
    "$python" -c 'import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print(json.dumps({"ids": d["ids"], "offsets": d["offsets"]}, separators=(",", ":")))' > "$out/tokenizer-expected-$name.jsonl"
done <<'LIST'
krbert-char16424-json|krbert-char16424.json|
nsmc-wordpiece-16k|nsmc-wordpiece-16k.json|
minilm-l6|minilm-l6-tokenizer.json|
bert-base-uncased-txt|bert-base-uncased.txt|
krbert-char16424-txt-cased|krbert-char16424.txt|--cased
krbert-char16424-txt-uncased|krbert-char16424.txt|
krbert-char16424-json-nospecial|krbert-char16424.json|--no-special-tokens
minilm-l6-nospecial|minilm-l6-tokenizer.json|--no-special-tokens
LIST
wc -c "$out"/tokenizer-*
