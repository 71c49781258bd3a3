#!/usr/bin/env python3
"""Writes the fixtures for n-best segmentation and for Unigram tokenizer.json files:
Tests/TokenizersTests/Fixtures/spm/{nbest,hf}-<set>-<model>.jsonl and hf-unigram-pipeline.json.

usage: $DSPREP_PYTHON tools/generate-unigram-fixtures.py [../shared]

Sets and models as in tools/generate-spm-fixtures.py (`adversarial`, the first 200 `reviews`;
`nsmc16k`, `bytefallback`).
- nbest (the first 60 texts of each set): sentencepiece 0.2.3's `nbest_encode_as_ids/pieces(text, n)` for n = 1, 2, 7 (one
  line per text: text and {"<n>": {"ids": [[...], ...], "pieces": [[...], ...]}}).
- hf: HF tokenizers 0.23.3 encoding with a tokenizer.json built from the .model by the recipe
  dsprep's `TokenizerJSON.unigramTokenizer` writes: normalizer Sequence[Precompiled(charsmap),
  Strip(right), Replace(Regex " {2,}" -> " ")], Metaspace pre-tokenizer (prepend always,
  split), Unigram(vocab with the .model's scores, unk_id, byte_fallback), Metaspace decoder.
  Each line: text, ids, tokens, offsets (Unicode scalars), decoded.
- hf-unigram-pipeline.json: the components of that tokenizer.json other than the model and
  the charsmap, as HF serializes them (what dsprep's writer must produce)."""
import json, os, sys
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2
from tokenizers import Tokenizer, Regex, decoders, models, normalizers, pre_tokenizers

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
out_dir = os.path.join(root, "Tests", "TokenizersTests", "Fixtures", "spm")
model_paths = {
    "nsmc16k": os.path.join(shared, "vocab", "nsmc-unigram-16k.model"),
    "bytefallback": os.path.join(out_dir, "nsmc-bytefallback-2k.model"),
}
with open(os.path.join(here, "fixtures", "spm-adversarial.txt"), encoding="utf-8", newline="\n") as f:
    adversarial = f.read().split("\n")[:-1]
with open(os.path.join(shared, "data", "reviews", "reviews.tsv"), encoding="utf-8", newline="\n") as f:
    next(f)
    reviews = [line.rstrip("\n").split("\t")[3] for _, line in zip(range(200), f)]


def hf_tokenizer(model_path):
    """The tokenizer.json recipe for a sentencepiece Unigram model (see the module comment)."""
    proto = model_pb2.ModelProto()
    with open(model_path, "rb") as f:
        proto.ParseFromString(f.read())
    spec = proto.normalizer_spec
    unk = next((i for i, p in enumerate(proto.pieces) if p.type == model_pb2.ModelProto.SentencePiece.UNKNOWN), None)
    tok = Tokenizer(models.Unigram([(p.piece, p.score) for p in proto.pieces], unk, proto.trainer_spec.byte_fallback))
    parts = []
    if spec.precompiled_charsmap:
        parts.append(normalizers.Precompiled(spec.precompiled_charsmap))
    if spec.remove_extra_whitespaces:
        parts += [normalizers.Strip(left=False, right=True), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(parts)
    scheme = "always" if spec.add_dummy_prefix else "never"
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=scheme, split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme=scheme, split=True)
    return tok


def write_lines(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


for model_name, model_path in model_paths.items():
    sp = spm.SentencePieceProcessor(model_file=model_path)
    tok = hf_tokenizer(model_path)
    for set_name, texts in (("adversarial", adversarial), ("reviews", reviews)):
        nbest = []
        for text in texts[:60]:
            entry = {}
            for n in (1, 2, 7):
                ids = sp.nbest_encode_as_ids(text, n)
                pieces = sp.nbest_encode_as_pieces(text, n)
                entry[str(n)] = {"ids": ids, "pieces": pieces}
            nbest.append({"text": text, "nbest": entry})
        write_lines(os.path.join(out_dir, f"nbest-{set_name}-{model_name}.jsonl"), nbest)
        hf = []
        for text in texts:
            e = tok.encode(text, add_special_tokens=False)
            hf.append({"text": text, "ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
                       "decoded": tok.decode(e.ids)})
        write_lines(os.path.join(out_dir, f"hf-{set_name}-{model_name}.jsonl"), hf)

document = json.loads(hf_tokenizer(model_paths["bytefallback"]).to_str())
for normalizer in document["normalizer"]["normalizers"]:
    if normalizer["type"] == "Precompiled":
        normalizer["precompiled_charsmap"] = "(the model's charsmap)"
pipeline = {key: document[key] for key in ("normalizer", "pre_tokenizer", "post_processor", "decoder")}
pipeline["model"] = {key: value for key, value in document["model"].items() if key != "vocab"}
with open(os.path.join(out_dir, "hf-unigram-pipeline.json"), "w", encoding="utf-8", newline="\n") as out:
    json.dump(pipeline, out, ensure_ascii=False, indent=2)
    out.write("\n")
print("wrote hf-unigram-pipeline.json")
