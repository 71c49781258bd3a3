#!/usr/bin/env python3
"""Writes the fixtures for regex and literal patterns in tokenizer.json (`Replace` normalizers,
`Split` pre-tokenizers): Tests/TokenizersTests/Fixtures/regex/.

usage: $DSPREP_PYTHON tools/generate-regex-fixtures.py [../shared]

- inputs.jsonl: one JSON string per line: adversarial texts (tools/fixtures/adversarial.txt up to 100
  characters, and the
  pattern edge cases below: line breaks of every kind inside a text, astral letters and digits,
  GPT-2 contractions, runs of ㅋ/ㅎ, digits, emoji) and 15 spread-out short review documents.
- base.json: a tokenizer.json as HF tokenizers 0.23.3 writes it, with a small made-up WordPiece
  vocabulary (every character of the inputs and the replacement strings, alone and with "##", and
  the 200 most frequent words), special tokens [CLS] and [SEP] (matched in the texts), no
  normalizer, pre-tokenizer or post-processor.
- cases.json: {name: {"normalizer": ..., "pre_tokenizer": ...}} as HF serializes them; a case's
  tokenizer is base.json with these two components.
- expected.jsonl: {"case", "input" (line number in inputs.jsonl, from 0), "ids", "offsets"}: HF's
  `encode(text, add_special_tokens=False)`, offsets in Unicode scalars.

The tokenizers are loaded back from their JSON before encoding, as users get them."""
import collections, json, os, sys
from tokenizers import Regex, Tokenizer, models, normalizers as N, pre_tokenizers as P

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
out_dir = os.path.join(root, "Tests", "TokenizersTests", "Fixtures", "regex")

GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
BEHAVIORS = ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]

pattern_edge_cases = [
    "",
    " ",
    "   leading and trailing   ",
    "line one\nline two\n\nline four\n",
    "crlf\r\nand cr\rvt\x0bff\x0cnel\x85ls\u2028ps\u2029end",
    "nbsp\u00a0ideographic\u3000thin\u2009narrow\u202fzwsp\u200bzwj\u200dend",
    "it's we're I'll they've I'm he'd don't 'S 'T rock'n'roll ''",
    "ㅋㅋㅋㅋㅋ ㅎㅎ ㅋㅎㅋㅎ 웃겨ㅋㅋ ㅠㅠㅠㅠ ㅜㅜ ㅋ",
    "010-1234-5678 2024년 3월 1,000,000원 ①②③ ٣٤٥ ௧௨ 12ab34",
    "♥♥ love ♥ 사랑♥해 ♡",
    "wow!!! really??? ok... ?!?! ....",
    "astral letters 𐌰𐌱𐌲 𝐀𝐁𝐂 𝔘𝔫𝔦 and digits 𝟘𝟙𝟚 𑁦𑁧 and han 𠀀𠀁",
    "emoji 😀😃 👍🏽👍🏿 👨‍👩‍👧‍👦 🇰🇷🇯🇵 #️⃣ 1️⃣ a😀b",
    "한국어English혼합text테스트123숫자",
    "combining e\u0301 a\u0308\u0323 \u0301start 한\u0301글 ᄒ\u1161\u11ab",
    "halfwidth ﾡﾢﾣ ﾁﾂ compat ㄱㅏ ㅎㅏㄴ",
    "aaa bab aa a caaat",
    "tabs\t\tand  double  spaces   and\t \tmix",
    "hi[CLS]there x[SEP]",
]


def read_lines(path):
    with open(path, encoding="utf-8", newline="\n") as f:
        return f.read().split("\n")[:-1]


def review_documents(count=15, max_chars=60):
    """Every 20000th review document of at most max_chars characters."""
    with open(os.path.join(shared, "data", "reviews", "reviews.tsv"), encoding="utf-8", newline="\n") as f:
        next(f)
        documents = [line.rstrip("\n").split("\t")[3] for line in f]
    short = [d for d in documents if len(d) <= max_chars]
    return short[::20000][:count]


def cases():
    """name -> (normalizer, pre_tokenizer)."""
    # Not WhitespaceSplit: dsprep's treats U+000B, U+000C, U+0085 as text (a bug outside patterns).
    whitespace = P.Split(Regex(r"\s+"), "removed")
    result = {
        "replace-whitespace-runs": (N.Replace(Regex(r"\s+"), " "), P.Split(" ", "isolated")),
        "replace-korean-chat": (N.Sequence([
            N.Replace(Regex(r"[0-9]+"), "0"),
            N.Replace(Regex(r"(ㅋ|ㅎ)+"), "ㅋ"),
            N.Replace(Regex(r"[!?.]+"), ""),          # empty replacement
            N.Replace(Regex(r"♥"), "<3heart"),        # longer than the match
            N.Replace("ㅠㅠ", "ㅜ"),                   # literal
            N.Replace(Regex(r"\s+"), " "),
        ]), whitespace),
        "replace-empty-matches": (N.Sequence([
            N.Replace(Regex(r"a*"), "-"),
            N.Replace(Regex(r"^"), "^"),
            N.Replace(Regex(r"$"), "$"),
        ]), whitespace),
        "replace-lookaround": (N.Sequence([
            N.Replace(Regex(r"(?<=\p{Hangul})(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=\p{Hangul})"), " "),
            N.Replace(Regex(r"\b"), "|"),
        ]), whitespace),
        "replace-astral-and-dot": (N.Sequence([
            N.Replace(Regex(r"[\x{1F300}-\x{1FAFF}\x{1F1E6}-\x{1F1FF}]+"), "E"),
            N.Replace(Regex(r"\p{N}"), "#"),
            N.Replace(Regex(r"e.e|n.l"), "_"),
        ]), P.Split(Regex(r"\s+"), "removed")),
        "replace-literal-empty": (N.Replace("", "|"), whitespace),
        # Constructs whose meaning differs between Oniguruma and ICU (dsprep rewrites them).
        "replace-onig-classes": (N.Sequence([
            N.Replace(Regex(r"\h+"), "H"),
            N.Replace(Regex(r"(?m)e.e|\Bx"), "_"),
            N.Replace(Regex(r"[\W\d]"), "~"),
        ]), whitespace),
        "split-word-runs": (None, P.Split(Regex(r"\w+|[^\w\s]+"), "isolated")),
        "split-literal-contiguous": (None, P.Sequence([P.Split("ㅋ", "contiguous"), P.Split(" ", "removed")])),
        "split-literal-merged-next": (None, P.Split("a", "merged_with_next", invert=True)),
        "split-whitespace-removed": (None, P.Split(Regex(r"\s+"), "removed")),
        "split-gpt2-then-hangul": (N.NFKC(), P.Sequence([
            P.Split(Regex(GPT2), "isolated"),
            P.Split(Regex(r"\p{Hangul}+"), "merged_with_previous"),
        ])),
    }
    for behavior in BEHAVIORS:
        for invert in (False, True):
            suffix = "-invert" if invert else ""
            result[f"split-gpt2-{behavior}{suffix}"] = (None, P.Split(Regex(GPT2), behavior, invert=invert))
            result[f"split-hangul-{behavior}{suffix}"] = (None, P.Split(Regex(r"\p{Hangul}+"), behavior, invert=invert))
    return result


def vocabulary(texts, extra):
    characters = sorted({c for text in texts + extra for c in text})
    words = collections.Counter(w for text in texts for w in text.split())
    tokens = ["[UNK]", "[CLS]", "[SEP]"] + characters + ["##" + c for c in characters]
    tokens += [w for w, _ in words.most_common(200) if len(w) > 1]
    return {token: i for i, token in enumerate(dict.fromkeys(tokens))}


def main():
    # The 100+-character words of adversarial.txt test WordPiece, not patterns, and would triple the size.
    adversarial = [t for t in read_lines(os.path.join(here, "fixtures", "adversarial.txt")) if len(t) <= 100]
    texts = adversarial + pattern_edge_cases + review_documents()
    all_cases = cases()
    base = Tokenizer(models.WordPiece(vocabulary(texts, ["<3heart", "E#_|^$-▁~H"]), unk_token="[UNK]"))
    # Added tokens cut the text into pieces that are normalized one by one (offsets start at each piece).
    base.add_special_tokens(["[CLS]", "[SEP]"])
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "inputs.jsonl"), "w", encoding="utf-8", newline="\n") as out:
        for text in texts:
            out.write(json.dumps(text, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "base.json"), "w", encoding="utf-8", newline="\n") as out:
        out.write(base.to_str() + "\n")
    components = {}
    with open(os.path.join(out_dir, "expected.jsonl"), "w", encoding="utf-8", newline="\n") as out:
        for name, (normalizer, pre_tokenizer) in all_cases.items():
            tokenizer = Tokenizer.from_str(base.to_str())
            if normalizer is not None:
                tokenizer.normalizer = normalizer
            tokenizer.pre_tokenizer = pre_tokenizer
            document = json.loads(tokenizer.to_str())
            components[name] = {"normalizer": document["normalizer"], "pre_tokenizer": document["pre_tokenizer"]}
            tokenizer = Tokenizer.from_str(tokenizer.to_str())
            for index, text in enumerate(texts):
                encoding = tokenizer.encode(text, add_special_tokens=False)
                record = {"case": name, "input": index, "ids": encoding.ids, "offsets": encoding.offsets}
                out.write(json.dumps(record, separators=(",", ":")) + "\n")
    with open(os.path.join(out_dir, "cases.json"), "w", encoding="utf-8", newline="\n") as out:
        out.write(json.dumps(components, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(all_cases)} cases x {len(texts)} inputs -> {out_dir}")


main()
