#!/usr/bin/env python3
"""Writes the truncation/overflow fixtures the XCTests compare against, from HF tokenizers
0.23.3 itself: Tests/TokenizersTests/Fixtures/truncation/{tokenizers.json,cases.json}.

usage: $DSPREP_PYTHON tools/generate-truncation-fixtures.py [../shared]

Tokenizers (tokenizers.json, name -> a tokenizer.json document without truncation/padding):
small WordPiece tokenizers whose vocabularies are the tokens the texts below get from
../shared/vocab/krbert-char16424.json (cased, Korean by syllable) and
../shared/vocab/minilm-l6-tokenizer.json (uncased, so Hangul splits into jamo), plus the special
tokens, with the source's normalizer and pre-tokenizer. Greedy longest-match WordPiece never
picks a token it does not use on the full vocabulary, so these segment the texts as the sources
do; the tests need neither ../shared nor Python. Post-processors: the source's
TemplateProcessing (`krbert`, `minilm`), BertProcessing (`krbert-bert`), an unusual template
(`krbert-odd`: pair `[CLS] $B:1 [SEP] $A:2 [SEP2]:3`, a two-token special, type ids HF's
overflow windows do not take from the template) and none (`krbert-none`).

Each tokenizer is loaded with truncation and padding written into its JSON (Tokenizer.from_str,
as a tokenizer.json file brings them: no stride check at load) and encodes every input with
every setting of the grid: strategy x direction x stride {0, 1, 3} x max_length {1, 2, 3, 4, 5, 8}
(below, at and above the 2 or 3 added special tokens), without padding; for max_length 3 and 8
also with padding (truncating on the right: Fixed 9 on the right; on the left: BatchLongest on
the left to a multiple of 4, pad type id 2); for max_length 2 and 5 also without special tokens.
`krbert` takes every input below, the other tokenizers a part of them (the fixtures stay small:
pairs of windows multiply). Regenerating rewrites the fixtures byte for byte.

cases.json:
  settings   [{"truncation": {...} | null, "padding": {...} | null, "add_special_tokens": bool}]
  fields     the names of the members of an encoding: ids, type_ids, tokens, offsets,
             special_tokens_mask, attention_mask, overflowing
  encodings  unique encodings, each a list of those members in that order; overflowing holds
             indices of this list (each window has its own overflowing, nested as HF nests them)
  errors     unique error texts of HF (exceptions and Rust panics)
  inputs     [{"tokenizer", "text", "pair" (null for one sequence), "results": [r per setting]}]
             with r >= 0 the index of an encoding, r < 0 the error errors[-r - 1]."""
import json, os, sys

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
out_dir = os.path.join(root, "Tests", "TokenizersTests", "Fixtures", "truncation")

# Token counts (krbert / minilm): 0/0, 2/1, 4/3, 6/3, 5/8, 9/12.
texts = ["", "좋아요", "ok 😊 최고", "굿 movie!", "정말 재밌어요 👍", "Hello 세계! 이 영화 최고 🎬🍿"]
# (first, pair): every text alone, then pairs of varied lengths, each way round (the number of
# overflow combinations grows with the product of the two window counts: kept small).
inputs = [(text, None) for text in texts] + [
    (texts[1], texts[4]), (texts[4], texts[1]), (texts[1], texts[3]), (texts[2], texts[1]),
    (texts[0], texts[4]), (texts[4], texts[0]), (texts[1], texts[5]),
]
# The other tokenizers on fewer inputs.
some_inputs = [inputs[2], inputs[5], inputs[6], inputs[11], inputs[12]]
specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def small_tokenizer(source_name, post_processor):
    """A WordPiece tokenizer with only the tokens `texts` get from the source (see above)."""
    source = Tokenizer.from_file(os.path.join(shared, "vocab", source_name))
    source.no_truncation()
    source.no_padding()
    used = set(specials)
    for text in texts:
        used.update(source.encode(text, add_special_tokens=False).tokens)
    vocab = {token: index for index, token in enumerate(sorted(used, key=source.token_to_id))}
    document = json.loads(source.to_str())
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(**{key: document["normalizer"][key] for key in (
        "clean_text", "handle_chinese_chars", "strip_accents", "lowercase")})
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.add_special_tokens(specials)
    tokenizer.post_processor = post_processor(vocab)
    return json.loads(tokenizer.to_str())


def bert_template(vocab):
    return processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])


def odd_template(vocab):
    return processors.TemplateProcessing(
        single="$A:1 [SEP2]", pair="[CLS] $B:1 [SEP] $A:2 [SEP2]:3",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"]),
                        {"id": "[SEP2]", "ids": [vocab["[SEP]"], vocab["[MASK]"]], "tokens": ["[SEP]", "[MASK]"]}])


tokenizers = {
    "krbert": small_tokenizer("krbert-char16424.json", bert_template),
    "minilm": small_tokenizer("minilm-l6-tokenizer.json", bert_template),
    "krbert-bert": small_tokenizer("krbert-char16424.json", lambda vocab: processors.BertProcessing(
        ("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"]))),
    "krbert-odd": small_tokenizer("krbert-char16424.json", odd_template),
    "krbert-none": small_tokenizer("krbert-char16424.json", lambda vocab: None),
}

padding = {"Right": {"strategy": {"Fixed": 9}, "direction": "Right", "pad_to_multiple_of": None,
                     "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
           "Left": {"strategy": "BatchLongest", "direction": "Left", "pad_to_multiple_of": 4,
                    "pad_id": 0, "pad_type_id": 2, "pad_token": "[PAD]"}}
settings = [{"truncation": None, "padding": None, "add_special_tokens": True}]
for strategy in ("LongestFirst", "OnlyFirst", "OnlySecond"):
    for direction in ("Right", "Left"):
        for stride in (0, 1, 3):
            for max_length in (1, 2, 3, 4, 5, 8):
                truncation = {"direction": direction, "max_length": max_length, "strategy": strategy, "stride": stride}
                settings.append({"truncation": truncation, "padding": None, "add_special_tokens": True})
                # Padding (of the overflow windows too) and leaving out special tokens on a part of the grid.
                if max_length in (3, 8):
                    settings.append({"truncation": truncation, "padding": padding[direction], "add_special_tokens": True})
                if max_length in (2, 5):
                    settings.append({"truncation": truncation, "padding": None, "add_special_tokens": False})


def interned(table, index, value):
    key = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if key not in index:
        index[key] = len(table)
        table.append(value)
    return index[key]


encodings, encoding_index, errors, error_index, records = [], {}, [], {}, []
fields = ["ids", "type_ids", "tokens", "offsets", "special_tokens_mask", "attention_mask", "overflowing"]


def encoding_number(encoding):
    """Index in `encodings` of the encoding, its overflowing windows by their own indices."""
    return interned(encodings, encoding_index, [
        encoding.ids, encoding.type_ids, encoding.tokens, [list(offset) for offset in encoding.offsets],
        encoding.special_tokens_mask, encoding.attention_mask,
        [encoding_number(window) for window in encoding.overflowing],
    ])


for name, document in tokenizers.items():
    loaded = []
    for setting in settings:
        with_settings = dict(document, truncation=setting["truncation"], padding=setting["padding"])
        loaded.append(Tokenizer.from_str(json.dumps(with_settings)))
    for text, pair in inputs if name == "krbert" else some_inputs:
        results = []
        for setting, tokenizer in zip(settings, loaded):
            try:
                encoding = tokenizer.encode(text, pair, add_special_tokens=setting["add_special_tokens"])
                results.append(encoding_number(encoding))
            except BaseException as error:  # pyo3 raises Rust panics as PanicException(BaseException)
                if isinstance(error, KeyboardInterrupt):
                    raise
                results.append(-1 - interned(errors, error_index, str(error)))
        records.append({"tokenizer": name, "text": text, "pair": pair, "results": results})

os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, "tokenizers.json"), "w", encoding="utf-8", newline="\n") as out:
    json.dump(tokenizers, out, ensure_ascii=False, separators=(",", ":"))
    out.write("\n")
with open(os.path.join(out_dir, "cases.json"), "w", encoding="utf-8", newline="\n") as out:
    out.write("{\"fields\":" + json.dumps(fields) + ",\n\"settings\":[\n")
    out.write(",\n".join(json.dumps(setting, separators=(",", ":")) for setting in settings))
    out.write("],\n\"errors\":" + json.dumps(errors, ensure_ascii=False) + ",\n\"encodings\":[\n")
    out.write(",\n".join(json.dumps(encoding, ensure_ascii=False, separators=(",", ":")) for encoding in encodings))
    out.write("],\n\"inputs\":[\n")
    out.write(",\n".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records))
    out.write("]}\n")
cases = len(records) * len(settings)
failing = sum(result < 0 for record in records for result in record["results"])
print(f"{cases} cases ({failing} HF errors), {len(encodings)} distinct encodings, {len(errors)} distinct errors")
