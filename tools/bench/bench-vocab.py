"""Benchmark: WordPiece vocabulary training, dsprep against HF tokenizers' WordPieceTrainer (and
sentencepiece's Unigram trainer as a time reference), in the same run, on the NSMC train
documents at the same vocabulary size. Reports wall and CPU time (end to end: read the file, train,
write), tokens per character and unknown-token rate on the NSMC test documents (both vocabularies
encoded by HF tokenizers, no special tokens), and checks that dsprep and HF encode the test
documents identically with dsprep's tokenizer.json.

usage: $DSPREP_PYTHON tools/bench/bench-vocab.py [--dsprep BIN] [--vocab-size 16000] [--no-spm]
       (BIN defaults to a release build in $DSPREP_SCRATCH_PATH or .build)
"""
import argparse, os, resource, subprocess, sys, tempfile, time

from measure import run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def documents(path):
    """The `document` column of an NSMC tsv (tab separated, no quoting, header row)."""
    with open(path, encoding="utf-8", newline="\n") as f:
        header = f.readline().rstrip("\n").split("\t")
        column = header.index("document")
        return [line.rstrip("\n").split("\t")[column] for line in f]


def cpu_of(work):
    """(wall seconds, CPU seconds of this process) of `work()`: CPU time shows the work done even
    when other jobs share the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def hf_train(train_path, vocab_size, out):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, decoders, trainers
    docs = documents(train_path)
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False)
    tok.train_from_iterator(docs, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece()
    tok.save(out)


def spm_train(train_path, vocab_size, prefix, **options):
    """sentencepiece's Unigram trainer on the documents of `train_path`; `options` go to it as given."""
    import sentencepiece as spm
    docs = documents(train_path)
    text = prefix + ".txt"
    with open(text, "w", encoding="utf-8") as f:
        f.write("\n".join(docs) + "\n")
    spm.SentencePieceTrainer.train(input=text, model_prefix=prefix, vocab_size=vocab_size, model_type="unigram",
                                   minloglevel=2, num_threads=os.cpu_count(), **options)


def print_report(vocab_size, train, test_docs, rows, rss, peer, mismatches):
    """The table of (name, wall s, CPU s, tokens/char, unk rate) rows, dsprep's first and the peer's
    second, the ratios, and the parity count; exits 1 on any mismatch."""
    print(f"vocab {vocab_size}, train {train} ({os.path.getsize(train) / 1e6:.1f} MB), test {len(test_docs)} documents")
    print(f"{'trainer':36} {'wall s':>7} {'CPU s':>7} {'tokens/char':>12} {'unk rate':>9}")
    for name, seconds, cpu_seconds, per_char, unk in rows:
        print(f"{name:36} {seconds:7.2f} {cpu_seconds:7.2f} {per_char:12.4f} {unk:9.5f}")
    print(f"speed-up over {peer}: {rows[1][1] / rows[0][1]:.2f}x wall, {rows[1][2] / rows[0][2]:.2f}x CPU; "
          f"tokens/char vs {peer}: {100 * (rows[0][3] / rows[1][3] - 1):+.2f}%")
    print(f"dsprep peak RSS {rss:.0f} MB; test documents encoded differently by dsprep and {peer} with dsprep's file: {mismatches}")
    if mismatches:
        sys.exit(1)


def quality(encode_batch, docs, unk_id):
    """(tokens per character, unknown-token rate) over `docs`."""
    tokens = unknown = 0
    for ids in encode_batch(docs):
        tokens += len(ids)
        unknown += sum(1 for i in ids if i == unk_id)
    chars = sum(len(d) for d in docs)
    return tokens / chars, unknown / max(tokens, 1)


def hf_quality(path, docs):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    encode = lambda batch: (e.ids for e in tok.encode_batch(batch, add_special_tokens=False))
    return quality(encode, docs, tok.token_to_id("[UNK]"))


def spm_quality(path, docs):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=path)
    return quality(lambda batch: sp.encode(batch), docs, sp.unk_id())


def dsprep_parity(binary, tokenizer_json, docs, work):
    """Number of test documents whose ids differ between dsprep encode and HF tokenizers."""
    from tokenizers import Tokenizer
    lines = os.path.join(work, "test-docs.txt")
    with open(lines, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(d + "\n" for d in docs))
    out = subprocess.run([binary, "encode", "--tokenizer", tokenizer_json, lines], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    tok = Tokenizer.from_file(tokenizer_json)
    expected = [" ".join(map(str, e.ids)) for e in tok.encode_batch(docs)]
    return sum(1 for a, b in zip(out, expected) if a != b) + abs(len(out) - len(expected))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsprep")
    parser.add_argument("--vocab-size", type=int, default=16000)
    parser.add_argument("--no-spm", action="store_true")
    args = parser.parse_args()
    binary = args.dsprep
    if not binary:
        scratch = os.environ.get("DSPREP_SCRATCH_PATH", ".build")
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", "dsprep"], cwd=ROOT,
                       check=True, stdout=sys.stderr)
        binary = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--show-bin-path"], cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout.strip() + "/dsprep"
    train = os.path.join(SHARED, "data", "nsmc", "train.tsv")
    test_docs = documents(os.path.join(SHARED, "data", "nsmc", "test.tsv"))
    with tempfile.TemporaryDirectory() as work:
        ours = os.path.join(work, "dsprep.json")
        cpu = children_cpu()
        seconds, rss, _ = run([binary, "vocab", "train", "--model", "wordpiece", "--vocab-size", str(args.vocab_size),
                               "--quiet", train, "--out", ours])
        rows = [("dsprep vocab train (wordpiece)", seconds, children_cpu() - cpu, *hf_quality(ours, test_docs))]
        hf = os.path.join(work, "hf.json")
        rows.append(("HF tokenizers WordPieceTrainer", *cpu_of(lambda: hf_train(train, args.vocab_size, hf)),
                     *hf_quality(hf, test_docs)))
        if not args.no_spm:
            prefix = os.path.join(work, "spm")
            rows.append(("sentencepiece unigram (reference)", *cpu_of(lambda: spm_train(train, args.vocab_size, prefix)),
                         *spm_quality(prefix + ".model", test_docs)))
        mismatches = dsprep_parity(binary, ours, test_docs, work)

    print_report(args.vocab_size, train, test_docs, rows, rss, "HF", mismatches)


if __name__ == "__main__":
    main()
