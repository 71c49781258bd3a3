#!/usr/bin/env python3
"""Writes the fixtures for n-best segmentation and for Unigram tokenizer.json files:
Tests/TokenizersTests/Fixtures/spm/{nbest,hf}-<set>-<model>.jsonl and hf-unigram-pipeline.json.

usage: $DSPREP_PYTHON tools/generate-unigram-fixtures.py [../shared]

Sets and models as in tools/generate-spm-fixtures.py (`adversarial`, the first 200 `reviews`;
`nsmc16k`, `bytefallback`), and for HF with nsmc16k `ties`: three reviews whose segmentation HF
decides by the last bits of its JSON-parsed scores.
- nbest (the first 60 texts of each set): sentencepiece 0.2.3's `nbest_encode_as_ids/pieces(text, n)` for n = 1, 2, 7 (one
  line per text: text and {"<n>": {"ids": [[...], ...], "pieces": [[...], ...]}}).
- hf: HF tokenizers 0.23.3 encoding with a tokenizer.json built from the .model by the recipe
  dsprep's `TokenizerJSON.unigramTokenizer` writes: normalizer Sequence[Precompiled(charsmap),
  Strip(right), Replace(Regex " {2,}" -> " ")], Metaspace pre-tokenizer (prepend always,
  split), Unigram(vocab with the .model's scores, unk_id, byte_fallback), and the decoder HF's
  converters write: Metaspace, or with byte_fallback transformers' LlamaConverter decoder
  Sequence[Replace("▁" -> " "), ByteFallback, Fuse, Strip(" ", 1, 0)] (no Strip without the
  dummy prefix).
  Each line: text, ids, tokens, offsets (Unicode scalars), decoded.
- normalization-<rule>.jsonl for rule in nfkc, nmt_nfkc, nfkc_cf, nmt_nfkc_cf: `normalize` of a
  tiny model sentencepiece trains with that rule (so with the rule's compiled charsmap), for the
  adversarial texts, the first 200 reviews and one code point at a time over a sweep of blocks
  where the rules act (Latin-1, combining marks, Greek, Cherokee, letterlike, enclosed and CJK
  compatibility, Hangul jamo, half/full-width forms, ...). dsprep builds the same rules from ICU
  for a model that names the rule but has no charsmap.
- hf-unigram-pipeline.json: the components of that tokenizer.json other than the model and
  the charsmap, as HF serializes them (what dsprep's writer must produce)."""
import io, json, os, tempfile
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2
from tokenizers import Tokenizer, Regex, decoders, models, normalizers, pre_tokenizers

from spm_fixture_inputs import adversarial_texts, model_paths, out_dir, review_documents

adversarial = adversarial_texts()
documents = review_documents()
reviews = documents[:200]
# Documents where equal-scoring segmentations tie and HF's way of reading JSON numbers decides
# (found by tools/spm-hf-parity.sh; 1-based document numbers).
ties = [documents[number - 1] for number in (19418, 54348, 59220)]


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
    if proto.trainer_spec.byte_fallback:
        steps = [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()]
        tok.decoder = decoders.Sequence(steps + ([decoders.Strip(" ", 1, 0)] if spec.add_dummy_prefix else []))
    else:
        tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme=scheme, split=True)
    # Through the file format, as users get it (HF reads JSON numbers its own way).
    return Tokenizer.from_str(tok.to_str())


def write_lines(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


for model_name, model_path in model_paths.items():
    sp = spm.SentencePieceProcessor(model_file=model_path)
    tok = hf_tokenizer(model_path)
    sets = [("adversarial", adversarial), ("reviews", reviews)] + ([("ties", ties)] if model_name == "nsmc16k" else [])
    for set_name, texts in sets:
        nbest = []
        for text in texts[:60]:
            entry = {}
            for n in (1, 2, 7):
                ids = sp.nbest_encode_as_ids(text, n)
                pieces = sp.nbest_encode_as_pieces(text, n)
                entry[str(n)] = {"ids": ids, "pieces": pieces}
            nbest.append({"text": text, "nbest": entry})
        if set_name != "ties":
            write_lines(os.path.join(out_dir, f"nbest-{set_name}-{model_name}.jsonl"), nbest)
        hf = []
        for text in texts:
            e = tok.encode(text, add_special_tokens=False)
            hf.append({"text": text, "ids": e.ids, "tokens": e.tokens, "offsets": [list(o) for o in e.offsets],
                       "decoded": tok.decode(e.ids)})
        write_lines(os.path.join(out_dir, f"hf-{set_name}-{model_name}.jsonl"), hf)

sweep_blocks = [(0x00A0, 0x0250), (0x0300, 0x0370), (0x0370, 0x0400), (0x1100, 0x1200), (0x13A0, 0x1400),
                (0x1E00, 0x2000), (0x2000, 0x2070), (0x2100, 0x2190), (0x2460, 0x2500), (0x3000, 0x3040),
                (0x3130, 0x3190), (0x3200, 0x3400), (0xAB70, 0xABC0), (0xFB00, 0xFB50), (0xFE30, 0xFE70),
                (0xFF00, 0xFFF0), (0x1D400, 0x1D480)]
sweep = [chr(cp) for lower, upper in sweep_blocks for cp in range(lower, upper)]
with tempfile.TemporaryDirectory() as work:
    corpus = os.path.join(work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(adversarial + reviews) + "\n")
    for rule in ("nfkc", "nmt_nfkc", "nfkc_cf", "nmt_nfkc_cf"):
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(input=corpus, model_writer=model, vocab_size=40, model_type="char",
                                       normalization_rule_name=rule, minloglevel=2)
        sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
        write_lines(os.path.join(out_dir, f"normalization-{rule}.jsonl"),
                    [{"text": text, "normalized": sp.normalize(text)} for text in adversarial + reviews + sweep])

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
