"""Benchmark: sentencepiece Unigram vocabulary training, dsprep against sentencepiece 0.2.3's own
trainer, in the same run, on the NSMC train documents at the same vocabulary size and options
(model_type=unigram, character_coverage 0.9995, nmt_nfkc, both on all cores). Reports wall and
CPU time (end to end: read, train, write), tokens per character and unknown-token rate on the
NSMC test documents (both models encoded by sentencepiece), and checks that dsprep encodes the
test documents with its own model exactly as sentencepiece does.

usage: $DSPREP_PYTHON tools/bench/bench-vocab-unigram.py [--dsprep BIN] [--vocab-size 16000]
       (BIN defaults to a release build in $DSPREP_SCRATCH_PATH or .build)
"""
import argparse, importlib.util, os, subprocess, sys, tempfile

from measure import run

# The shared helpers of the WordPiece benchmark (document reading, timing, quality).
_spec = importlib.util.spec_from_file_location("bench_vocab", os.path.join(os.path.dirname(__file__), "bench-vocab.py"))
bench_vocab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_vocab)


def encode_parity(binary, model, docs, work):
    """Number of test documents whose ids differ between `dsprep encode` and sentencepiece."""
    import sentencepiece as spm
    lines = os.path.join(work, "test-docs.txt")
    with open(lines, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(d + "\n" for d in docs))
    out = subprocess.run([binary, "encode", "--tokenizer", model, lines], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    sp = spm.SentencePieceProcessor(model_file=model)
    expected = [" ".join(map(str, ids)) for ids in sp.encode(docs)]
    return sum(1 for a, b in zip(out, expected) if a != b) + abs(len(out) - len(expected))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsprep")
    parser.add_argument("--vocab-size", type=int, default=16000)
    args = parser.parse_args()
    binary = args.dsprep
    if not binary:
        scratch = os.environ.get("DSPREP_SCRATCH_PATH", ".build")
        root = bench_vocab.ROOT
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", "dsprep"], cwd=root,
                       check=True, stdout=sys.stderr)
        binary = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--show-bin-path"], cwd=root,
                                check=True, capture_output=True, text=True).stdout.strip() + "/dsprep"
    train = os.path.join(bench_vocab.SHARED, "data", "nsmc", "train.tsv")
    test_docs = bench_vocab.documents(os.path.join(bench_vocab.SHARED, "data", "nsmc", "test.tsv"))
    with tempfile.TemporaryDirectory() as work:
        ours = os.path.join(work, "dsprep.model")
        cpu = bench_vocab.children_cpu()
        seconds, rss, _ = run([binary, "vocab", "train", "--model", "unigram", "--vocab-size", str(args.vocab_size),
                               "--column", "document", "--quiet", train, "--out", ours])
        rows = [("dsprep vocab train (unigram)", seconds, bench_vocab.children_cpu() - cpu,
                 *bench_vocab.spm_quality(ours, test_docs))]
        prefix = os.path.join(work, "spm")
        rows.append(("sentencepiece trainer (unigram)", *bench_vocab.cpu_of(lambda: bench_vocab.spm_train(
                         train, args.vocab_size, prefix, character_coverage=0.9995, normalization_rule_name="nmt_nfkc")),
                     *bench_vocab.spm_quality(prefix + ".model", test_docs)))
        mismatches = encode_parity(binary, ours, test_docs, work)

    bench_vocab.print_report(args.vocab_size, train, test_docs, rows, rss, "sentencepiece", mismatches)


if __name__ == "__main__":
    main()
