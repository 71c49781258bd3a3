#!/usr/bin/env python3
"""Trains the small sentencepiece Unigram model the tests hold to parity with byte fallback on:
Tests/TokenizersTests/Fixtures/spm/nsmc-bytefallback-2k.model.

usage: $DSPREP_PYTHON tools/train-spm-fixture.py [../shared/data/nsmc/train.tsv] [OUT.model]

3,000 NSMC training documents, vocab 2,000, byte_fallback and split_digits on, two user-defined
symbols (one of them compatibility jamo, which the normalizer would otherwise rewrite) and a
control symbol, so the fixture exercises every piece type. The pieces and scores are the same on
every run (single thread, no input shuffling); only the recorded temporary input path differs."""
import os, sys, tempfile
import sentencepiece as spm

here = os.path.dirname(os.path.abspath(__file__))
source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "nsmc", "train.tsv")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    here, "..", "Tests", "TokenizersTests", "Fixtures", "spm", "nsmc-bytefallback-2k.model")

with open(source, encoding="utf-8", newline="\n") as f:
    next(f)  # header: id, document, label
    docs = [line.rstrip("\n").split("\t")[1] for _, line in zip(range(3000), f)]

with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "docs.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write("\n".join(d for d in docs if d) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=os.path.join(tmp, "m"), model_type="unigram", vocab_size=2000,
        byte_fallback=True, split_digits=True, user_defined_symbols=["[MASK]", "ㅋㅋ"],
        control_symbols=["<cls>"], num_threads=1, shuffle_input_sentence=False,
        minloglevel=2)
    with open(os.path.join(tmp, "m.model"), "rb") as f:
        model = f.read()
with open(out, "wb") as f:
    f.write(model)
print(f"wrote {out} ({len(model)} bytes)")
