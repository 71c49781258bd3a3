#!/usr/bin/env python3
"""Checks token shards written by `dsprep tokenize` against HF: opens them with
datasets.load_from_disk and re-encodes the input file with HF tokenizers (or sentencepiece for a
.model), row by row. Prints one JSON object: rows, mismatching rows and the first mismatches.

usage: check_tokenized.py DATASET_DIR INPUT_TSV TOKENIZER --text COL [--pair COL] [--label COL]
                          [--max-length N] [--split NAME]
"""
import argparse, csv, json, sys

import datasets


def encoder(path, max_length):
    if path.endswith(".model"):
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=path)
        return lambda a, b: (sp.encode(a)[:max_length] if max_length else sp.encode(a), None)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    if max_length:
        tok.enable_truncation(max_length)
    def encode(a, b):
        e = tok.encode(a, b) if b is not None else tok.encode(a)
        return e.ids, e.type_ids
    return encode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset"); ap.add_argument("input"); ap.add_argument("tokenizer")
    ap.add_argument("--text", required=True); ap.add_argument("--pair"); ap.add_argument("--label")
    ap.add_argument("--max-length", type=int); ap.add_argument("--split")
    a = ap.parse_args()
    data = datasets.load_from_disk(a.dataset)
    if a.split:
        data = data[a.split]
    encode = encoder(a.tokenizer, a.max_length)
    with open(a.input, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    mismatches = []
    names = data.features["labels"].names if a.label and hasattr(data.features["labels"], "names") else None
    for index, (row, ours) in enumerate(zip(rows, data)):
        ids, type_ids = encode(row[a.text], row[a.pair] if a.pair else None)
        problems = []
        if ids != ours["input_ids"]:
            problems.append("input_ids")
        if a.pair and type_ids != ours["token_type_ids"]:
            problems.append("token_type_ids")
        if ours["length"] != len(ids):
            problems.append("length")
        if a.label:
            expected = row[a.label]
            got = ours["labels"]
            if names is not None:
                same = names[got] == (expected if not expected.lstrip("-").isdigit() else str(int(expected)))
            else:
                same = abs(float(expected) - got) < 1e-5
            if not same:
                problems.append("labels")
        if problems:
            mismatches.append({"row": index, "columns": problems})
    print(json.dumps({"rows": len(data), "input_rows": len(rows), "mismatches": len(mismatches),
                      "first": mismatches[:5], "features": str(data.features)}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
