#!/usr/bin/env bash
# Benchmark: WordPiece encoding of the review documents (../shared/data/reviews, 4th column),
# HF tokenizers (encode_batch and encode_batch_fast on all cores, best taken) against
# `dsprep encode --output-format id` (release build, end to end: load, read, encode, print),
# in the same run. Checks that the ids are identical. Reports MB/s, tokens/s and the ratio.
# usage: DSPREP_PYTHON=... tools/bench/bench-wordpiece.sh [TOKENIZER ...]   (default: KR-BERT char tokenizer.json)
# env: DSPREP_BIN (a built release binary) or DSPREP_SCRATCH_PATH (build folder, default .build)
source "$(dirname "$0")/../lib/preamble.sh"
need_peer_python
source tools/lib/dsprep-binary.sh
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tail -n +2 "$shared/data/reviews/reviews.tsv" | cut -f4 > "$work/documents.txt"
tokenizers=("$@")
[ ${#tokenizers[@]} -eq 0 ] && tokenizers=("$shared/vocab/krbert-char16424.json")

for tokenizer in "${tokenizers[@]}"; do
  "$python" - "$tokenizer" "$work/documents.txt" "$work/hf-ids.txt" <<'PY' > "$work/hf.txt"
import os, sys, time
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
path, documents, ids_out = sys.argv[1:4]
if path.endswith(".json"):
    tok = Tokenizer.from_file(path)
    tok.no_padding()
else:  # vocab.txt, BERT defaults as ../shared/peers/reference_encode.py builds them
    tok = Tokenizer(models.WordPiece.from_file(path, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
with open(documents, encoding="utf-8", newline="\n") as f:
    lines = [line[:-1] if line.endswith("\n") else line for line in f]
size = os.path.getsize(documents)
best, best_name, encodings = None, None, None
for name in ("encode_batch", "encode_batch_fast"):
    method = getattr(tok, name, None)
    if method is None:
        continue
    start = time.perf_counter()
    result = method(lines)
    seconds = time.perf_counter() - start
    if best is None or seconds < best:
        best, best_name, encodings = seconds, name, result
tokens = sum(len(e.ids) for e in encodings)
with open(ids_out, "w") as out:
    for e in encodings:
        out.write(" ".join(map(str, e.ids)) + "\n")
print(f"{best:.3f} {tokens} {size} {best_name}")
PY
  read -r hf_seconds hf_tokens bytes hf_method < "$work/hf.txt"
  start=$(date +%s.%N)
  "$dsprep" encode --tokenizer "$tokenizer" --output-format id "$work/documents.txt" > "$work/dsprep-ids.txt"
  end=$(date +%s.%N)
  if cmp -s "$work/hf-ids.txt" "$work/dsprep-ids.txt"; then same="identical"; else same="DIFFERENT"; fi
  "$python" - "$tokenizer" "$hf_seconds" "$hf_tokens" "$bytes" "$hf_method" "$start" "$end" "$same" "$(nproc)" <<'PY'
import sys
name, hf_seconds, hf_tokens, size, method, start, end, same, cores = sys.argv[1:10]
hf_seconds, hf_tokens, size = float(hf_seconds), int(hf_tokens), int(size)
ours = float(end) - float(start)
mb = size / 1e6
print(f"{name}: {mb:.1f} MB, {hf_tokens} tokens, {cores} cores; ids {same}")
print(f"  HF tokenizers {method}: {hf_seconds:.2f} s  {mb / hf_seconds:7.2f} MB/s  {hf_tokens / hf_seconds / 1e6:6.2f} M tokens/s")
print(f"  dsprep encode (end to end): {ours:.2f} s  {mb / ours:7.2f} MB/s  {hf_tokens / ours / 1e6:6.2f} M tokens/s")
print(f"  ratio dsprep/HF: {hf_seconds / ours:.1f}x")
PY
done
