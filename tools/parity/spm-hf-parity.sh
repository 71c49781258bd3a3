#!/usr/bin/env bash
# Full-corpus parity of dsprep's Unigram tokenizer.json path with HF tokenizers 0.23.3, on every
# document of ../shared/data/reviews/reviews.tsv (4th column), for each sentencepiece model:
#   1. `spm-bench --write-tokenizer-json` converts the .model (dsprep's writer); HF tokenizers
#      loads that file and encodes; `dsprep encode` loads the same file and encodes: ids,
#      tokens (an unknown token is the text it covers) and offsets must be equal (reference:
#      HF); and `dsprep decode` of HF's ids must equal HF's `decode` (skip_special_tokens).
#   2. the same with the tokenizer.json HF's own `SentencePieceUnigramTokenizer.from_spm`
#      recipe builds (Precompiled + Replace " {2,}" + Metaspace, no Strip).
# It also counts the documents where HF's Unigram (on dsprep's file) disagrees with
# sentencepiece itself: HF's own rules (Double sums, grapheme-wise normalization, every piece
# matchable), not a dsprep difference.
#
#   tools/parity/spm-hf-parity.sh [MODEL.model ...]   (default: ../shared/vocab/nsmc-unigram-16k.model
#                                                and the tests' byte-fallback fixture model)
# Exits 1 when dsprep and HF differ on any document.
source "$(dirname "$0")/../lib/preamble.sh"
models=("$@")
source tools/lib/spm-corpus.sh
source tools/lib/dsprep-binary.sh
status=0
for model in "${models[@]}"; do
  name="$(basename "$model" .model)"
  "$bench" --model "$model" --write-tokenizer-json "$work/dsprep.json"
  "$python" - "$model" "$work" <<'PY'
import json, sys
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2
from tokenizers import Tokenizer, Regex, decoders, models, normalizers, pre_tokenizers
model_path, work = sys.argv[1:]
lines = open(f"{work}/docs.txt", encoding="utf-8", newline="\n").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
# HF's from_spm recipe (tokenizers/implementations/sentencepiece_unigram.py), built here
# because from_spm wants sentencepiece_model_pb2 on sys.path.
proto = model_pb2.ModelProto()
proto.ParseFromString(open(model_path, "rb").read())
unk = proto.trainer_spec.unk_id
tok = Tokenizer(models.Unigram([(p.piece, p.score) for p in proto.pieces], unk, proto.trainer_spec.byte_fallback))
tok.normalizer = normalizers.Sequence([normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap),
                                       normalizers.Replace(Regex(" {2,}"), " ")])
tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
tok.save(f"{work}/from_spm.json")
for kind in ("dsprep", "from_spm"):
    hf = Tokenizer.from_file(f"{work}/{kind}.json")
    encodings = hf.encode_batch(lines, add_special_tokens=False)
    with open(f"{work}/hf-{kind}.txt", "w", encoding="utf-8") as out:
        for e in encodings:
            out.write(json.dumps([e.ids, [list(o) for o in e.offsets], e.tokens], ensure_ascii=False) + "\n")
    with open(f"{work}/ids-{kind}.txt", "w", encoding="utf-8") as out:
        for e in encodings:
            out.write(" ".join(map(str, e.ids)) + "\n")
    with open(f"{work}/hf-decoded-{kind}.txt", "w", encoding="utf-8") as out:
        for text in hf.decode_batch([e.ids for e in encodings], skip_special_tokens=True):
            out.write(json.dumps(text, ensure_ascii=False) + "\n")
sp = spm.SentencePieceProcessor(model_file=model_path)
with open(f"{work}/spm.txt", "w", encoding="utf-8") as out:
    for ids in sp.encode(lines, num_threads=1):
        out.write(json.dumps(ids) + "\n")
PY
  for kind in dsprep from_spm; do
    "$dsprep" encode --tokenizer "$work/$kind.json" --output-format json "$work/docs.txt" > "$work/ours-$kind.jsonl"
    "$dsprep" decode --tokenizer "$work/$kind.json" --output-format json "$work/ids-$kind.txt" > "$work/ours-decoded-$kind.txt"
  done
  "$python" - "$name" "$work" <<'PY' || status=1
import itertools, json, sys
name, work = sys.argv[1:]
# Streamed line by line: the byte-fallback model's encodings of 639k documents do not fit in
# memory twice over as Python objects.
def read(path, parse=json.loads):
    with open(f"{work}/{path}", encoding="utf-8", newline="\n") as lines:
        for line in lines:
            yield parse(line.rstrip("\n"))
failed = False
for kind in ("dsprep", "from_spm"):
    vocab = [piece for piece, _ in json.load(open(f"{work}/{kind}.json", encoding="utf-8"))["model"]["vocab"]]
    count = ids = tokens = offsets = decoded = unknown = versus_spm = shown = 0
    missing = object()
    streams = [read("docs.txt", parse=str), read("spm.txt"), read(f"hf-{kind}.txt"), read(f"ours-{kind}.jsonl"),
               read(f"hf-decoded-{kind}.txt"), read(f"ours-decoded-{kind}.txt")]
    for doc, s, h, o, hd, od in itertools.zip_longest(*streams, fillvalue=missing):
        assert missing not in (doc, s, h, o, hd, od), f"{kind}: the outputs have different line counts"
        count += 1
        ids += h[0] != o["ids"]
        offsets += h[1] != o["offsets"]
        tokens += h[2] != o["tokens"]
        decoded += hd != od
        unknown += any(vocab[i] != token for i, token in zip(h[0], h[2]))
        versus_spm += h[0] != s
        if (h[0] != o["ids"] or h[1] != o["offsets"] or h[2] != o["tokens"] or hd != od) and shown < 3:
            shown += 1
            print(f"  line {count}: {doc!r}\n    HF     {h} {hd!r}\n    dsprep {[o['ids'], o['offsets'], o['tokens']]} {od!r}")
    print(f"spm-hf-parity: {name} {kind}.json: dsprep vs HF tokenizers: {ids} ids / {tokens} tokens / {offsets} offsets "
          f"/ {decoded} decoded texts mismatching of {count} documents ({unknown} with unknown text); "
          f"HF vs sentencepiece ids: {versus_spm} ({100 * versus_spm / count:.3f}%)")
    failed = failed or ids or offsets or tokens or decoded
sys.exit(1 if failed else 0)
PY
done
exit $status
