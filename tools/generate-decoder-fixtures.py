#!/usr/bin/env python3
"""Writes the decoding fixtures, from HF tokenizers 0.23.3 and sentencepiece 0.2.3 themselves:
Tests/TokenizersTests/Fixtures/decoders/.

usage: $DSPREP_PYTHON tools/generate-decoder-fixtures.py

- decoders.jsonl: each line a decoder as HF serializes it ("decoder"), a token list ("tokens")
  and HF's `decoder.decode(tokens)` ("decoded"), for Metaspace (prepend_scheme always/first/
  never, split on/off), ByteFallback, Fuse, Strip, Replace (literal, empty, regex), Sequence (transformers' byte-
  fallback decoder) and WordPiece, over adversarial token lists: valid/invalid/truncated/
  surrogate byte runs, lowercase and "+" hex digits, replacement characters inside tokens,
  empty tokens, combining marks. (Strip cases where HF panics are left out.)
- bytefallback.json: the tokenizer.json of tools/generate-unigram-fixtures.py's recipe for the
  byte-fallback fixture model (what dsprep's `TokenizerJSON.write(unigram:)` writes), with
  <s> and </s> added as special tokens so skipping them is tested.
- bytefallback-decode.jsonl: id lists (encodings of the adversarial texts, random ids, byte
  ids that make invalid UTF-8, special tokens) with HF `Tokenizer.decode(ids,
  skip_special_tokens=True/False)` ("skip", "keep") on bytefallback.json and sentencepiece's
  `decode_ids` on the .model ("spm"). bytefallback-decode-ids.txt: the same ids, one line of
  space-separated ids each (the input of `dsprep decode`).
- unigram-unknown.jsonl: a small Unigram tokenizer.json ("tokenizer", with unk_id 0 and with
  unk_id null) and, per text, HF's ids/tokens/offsets, or "error": true where HF fails."""
import json, os, random, sys
os.environ.setdefault("RUST_BACKTRACE", "0")
import sentencepiece as spm
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
out_dir = os.path.join(here, "..", "Tests", "TokenizersTests", "Fixtures", "decoders")
spm_dir = os.path.join(here, "..", "Tests", "TokenizersTests", "Fixtures", "spm")
os.makedirs(out_dir, exist_ok=True)


def write_lines(name, records):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {name}")


def serialized(decoder):
    tok = Tokenizer(models.Unigram([("<unk>", 0.0)], 0, False))
    tok.decoder = decoder
    return json.loads(tok.to_str())["decoder"]


token_lists = [
    [],
    ["▁Hello", "▁wor", "ld", "!"],
    ["▁a▁b", "▁c", "d▁", "▁"],
    ["x▁", "▁y", "", "▁▁z"],
    ["Hey", "friend!", "##s", "##", "#", " n't", "do not"],
    ["<0x61>", "<0xE5>", "<0x8F>", "<0xAB>", "a", "<0xe5>", "<0x8f>", "<0xab>"],
    ["<0xE5>", "<0x8F>", "a", "<0xC3>"],
    ["<0xED>", "<0xA0>", "<0x80>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>"],
    ["<0xF0>", "<0x9F>", "<0x98>", "▁", "<0xC0>", "<0x80>", "<0xF4>", "<0x90>", "<0x80>", "<0x80>"],
    ["<0x+F>", "<0x-1>", "<0xG0>", "<0x0>", "<0x000>", "<0X41>", "<0x41", "<0x0A>", "<0x00>"],
    ["▁▁", " ", "  a  ", "e\u0301", "\u00e9", "▁\u0301", "\u2581\u2581\u2581"],
    ["한국", "▁어", "<0xEA>", "<0xB0>", "<0x80>", "▁ㅋㅋ", "<0xEA>"],
]
decoder_list = [
    decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True),
    decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True),
    decoders.Metaspace(replacement="▁", prepend_scheme="never", split=True),
    decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False),
    decoders.Metaspace(replacement="_", prepend_scheme="first", split=False),
    decoders.ByteFallback(),
    decoders.Fuse(),
    decoders.Strip(content="▁", left=1, right=0),
    decoders.Strip(content="a", left=0, right=1),
    decoders.Replace("▁", " "),
    decoders.Replace("\u00e9", "E"),
    decoders.Replace("<0x", "["),
    decoders.Replace("", "+"),
    decoders.Replace(Regex("▁+"), " "),
    decoders.Replace(Regex("<0x([0-9A-F]{2})>"), "$1"),
    decoders.Replace(Regex("\\s*"), "_"),
    decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]),
    decoders.Sequence([decoders.ByteFallback(), decoders.Metaspace(replacement="▁", prepend_scheme="always")]),
    decoders.Sequence([decoders.Fuse(), decoders.Strip(" ", 2, 2)]),
    decoders.WordPiece(prefix="##", cleanup=True),
    decoders.WordPiece(prefix="##", cleanup=False),
    decoders.WordPiece(prefix="", cleanup=False),
]
records = []
for decoder in decoder_list:
    for tokens in token_lists:
        try:
            decoded = decoder.decode(tokens)
        except BaseException:  # HF panics (Strip past a token's bounds): not a fixture
            continue
        records.append({"decoder": serialized(decoder), "tokens": tokens, "decoded": decoded})
write_lines("decoders.jsonl", records)

# The byte-fallback tokenizer.json, as tools/generate-unigram-fixtures.py builds it.
import importlib.util
spec = importlib.util.spec_from_file_location("unigram_fixtures_recipe", os.path.join(here, "generate-unigram-fixtures.py"))
model_path = os.path.join(spm_dir, "nsmc-bytefallback-2k.model")
source = open(os.path.join(here, "generate-unigram-fixtures.py"), encoding="utf-8").read()
recipe = {}
exec(source[source.index("def hf_tokenizer"):source.index("def write_lines")],
     {"Tokenizer": Tokenizer, "models": models, "pre_tokenizers": pre_tokenizers, "decoders": decoders,
      "normalizers": __import__("tokenizers").normalizers, "Regex": __import__("tokenizers").Regex,
      "model_pb2": __import__("sentencepiece.sentencepiece_model_pb2", fromlist=["x"])}, recipe)
tok = recipe["hf_tokenizer"](model_path)
tok.add_special_tokens(["<s>", "</s>"])
tok.save(os.path.join(out_dir, "bytefallback.json"))
tok = Tokenizer.from_file(os.path.join(out_dir, "bytefallback.json"))
print("wrote bytefallback.json")

sp = spm.SentencePieceProcessor(model_file=model_path)
with open(os.path.join(here, "fixtures", "spm-adversarial.txt"), encoding="utf-8", newline="\n") as f:
    texts = f.read().split("\n")[:-1]
generator = random.Random(20261123)
byte_ids = [sp.piece_to_id(f"<0x{b:02X}>") for b in range(256)]
id_lists = [sp.encode(text) for text in texts]
id_lists += [[1] + sp.encode(text) + [2] for text in texts[:20]]
id_lists += [[generator.randrange(sp.get_piece_size()) for _ in range(generator.randrange(1, 30))] for _ in range(80)]
id_lists += [[generator.choice(byte_ids) for _ in range(generator.randrange(1, 12))] for _ in range(40)]
id_lists += [[], [1], [1, 2], [0], [0, 0, 262], [262, 262], [262] + byte_ids[0xE5:0xE6] + [262]]
decode_records = [{"ids": ids, "skip": tok.decode(ids, skip_special_tokens=True),
                   "keep": tok.decode(ids, skip_special_tokens=False), "spm": sp.decode_ids(ids)} for ids in id_lists]
write_lines("bytefallback-decode.jsonl", decode_records)
with open(os.path.join(out_dir, "bytefallback-decode-ids.txt"), "w", encoding="utf-8", newline="\n") as out:
    for ids in id_lists:
        out.write(" ".join(map(str, ids)) + "\n")
print("wrote bytefallback-decode-ids.txt")

# Unknown text with and without an unk_id.
vocab = [("<unk>", 0.0), ("▁", -2.0), ("a", -3.0), ("b", -3.0), ("ab", -4.0), ("▁a", -2.5), ("xy", -6.0), ("c", -3.0)]
unknown_texts = ["ab", "a b", "abx", "xyz", "x", "zz top", "a😀😀b", "xy", "cxy", "é", "a\u0301", "", " ", "ab  ab"]
records = []
for unk_id in (0, None):
    tok = Tokenizer(models.Unigram(vocab, unk_id, False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    document = json.loads(tok.to_str())
    for text in unknown_texts:
        record = {"tokenizer": document, "text": text}
        try:
            e = tok.encode(text, add_special_tokens=False)
            record.update(ids=e.ids, tokens=e.tokens, offsets=[list(o) for o in e.offsets])
        except Exception:
            record["error"] = True
        records.append(record)
write_lines("unigram-unknown.jsonl", records)
