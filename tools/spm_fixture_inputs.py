"""What the sentencepiece fixture generators (generate-spm-fixtures.py, generate-unigram-fixtures.py)
share: where the fixtures go, the two models, and the input texts."""
import os, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared")
out_dir = os.path.join(root, "Tests", "TokenizersTests", "Fixtures", "spm")
model_paths = {
    "nsmc16k": os.path.join(shared, "vocab", "nsmc-unigram-16k.model"),
    "bytefallback": os.path.join(out_dir, "nsmc-bytefallback-2k.model"),
}


def adversarial_texts():
    """tools/fixtures/spm-adversarial.txt, one text per line."""
    with open(os.path.join(here, "fixtures", "spm-adversarial.txt"), encoding="utf-8", newline="\n") as f:
        return f.read().split("\n")[:-1]


def review_documents(limit=None):
    """The document column of ../shared/data/reviews/reviews.tsv (the first `limit` rows)."""
    with open(os.path.join(shared, "data", "reviews", "reviews.tsv"), encoding="utf-8", newline="\n") as f:
        next(f)
        rows = f if limit is None else (line for _, line in zip(range(limit), f))
        return [line.rstrip("\n").split("\t")[3] for line in rows]
