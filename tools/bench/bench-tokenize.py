#!/usr/bin/env python3
"""Benchmark: raw TSV → token shards, dsprep tokenize vs the HF pipeline, same run.

usage: tools/bench/bench-tokenize.py [TSV] [--tokenizer PATH] [--max-length N] [--runs N]
  defaults: ../shared/data/reviews/reviews.tsv (639k rows), ../shared/vocab/krbert-char16424.json, 128
Run with the peer venv's python (tools/setup/setup-peers.sh prints it); uses $DSPREP_BIN, else builds dsprep
in release mode (scratch folder $DSPREP_SCRATCH_PATH, default .build).
HF: load_dataset("csv", delimiter="\\t", quoting=3) with an empty cache, map(tokenize, batched=True)
with tokenizers' encode_batch (all cores), save_to_disk. dsprep: `dsprep tokenize` with an empty
cache (cold), then again (warm: served from the cache). Medians of N runs, each a fresh process;
peak RSS from wait4. Checks that both wrote the same input_ids.
"""
import argparse, os, pathlib, shutil, subprocess, sys, tempfile

from measure import run

ROOT = pathlib.Path(__file__).resolve().parents[2]

HF_JOB = """
import sys, datasets
from tokenizers import Tokenizer
datasets.disable_progress_bars()
path, cache, out, tokenizer, max_length = sys.argv[1:6]
tok = Tokenizer.from_file(tokenizer)
tok.no_padding()
tok.enable_truncation(int(max_length))
d = datasets.load_dataset("csv", data_files=path, delimiter="\\t", quoting=3, cache_dir=cache, split="train",
                          keep_default_na=False)
def tokenize(batch):
    encodings = tok.encode_batch([t if t is not None else "" for t in batch["document"]])
    return {"input_ids": [e.ids for e in encodings]}
d = d.map(tokenize, batched=True, remove_columns=d.column_names, cache_file_name=cache + "/map.arrow")
d.save_to_disk(out)
print(len(d))
"""

COMPARE = """
import sys, datasets
a = datasets.load_from_disk(sys.argv[1])["input_ids"]
b = datasets.load_from_disk(sys.argv[2])["input_ids"]
print(sum(1 for x, y in zip(a, b) if x != y), len(a), len(b))
"""


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tsv", nargs="?", default=str(ROOT.parent / "shared/data/reviews/reviews.tsv"))
    parser.add_argument("--tokenizer", default=str(ROOT.parent / "shared/vocab/krbert-char16424.json"))
    parser.add_argument("--max-length", default="128")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    dsprep = os.environ.get("DSPREP_BIN")
    if not dsprep:  # as tools/lib/dsprep-binary.sh: build in $DSPREP_SCRATCH_PATH (default .build)
        scratch = os.environ.get("DSPREP_SCRATCH_PATH", ".build")
        build = ["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", "dsprep"]
        subprocess.run(build, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        dsprep = subprocess.run(build[:-2] + ["--show-bin-path"], cwd=ROOT, check=True, capture_output=True,
                                text=True).stdout.strip() + "/dsprep"
    size_mb = os.path.getsize(args.tsv) / 1e6
    work = pathlib.Path(tempfile.mkdtemp(prefix="dsprep-bench-"))
    try:
        hf, cold, warm = [], [], []
        for _ in range(args.runs):
            for name in ("hf-cache", "hf-out", "ds-cache", "ds-out"):
                shutil.rmtree(work / name, ignore_errors=True)
            (work / "hf-cache").mkdir()
            hf.append(run([sys.executable, "-c", HF_JOB, args.tsv, str(work / "hf-cache"), str(work / "hf-out"),
                           args.tokenizer, args.max_length]))
            env = {"DSPREP_CACHE": str(work / "ds-cache")}
            command = [dsprep, "tokenize", args.tsv, "--tokenizer", args.tokenizer, "--max-length", args.max_length,
                       "--text-column", "document", "--no-label", "--out", str(work / "ds-out"), "--quiet"]
            cold.append(run(command, env))
            warm.append(run(command, env))
        _, _, compared = run([sys.executable, "-c", COMPARE, str(work / "hf-out"), str(work / "ds-out")])
        mismatches, rows_hf, rows_ds = compared.split()
        hf_s, cold_s, warm_s = median([r[0] for r in hf]), median([r[0] for r in cold]), median([r[0] for r in warm])
        print(f"input: {args.tsv} ({size_mb:.1f} MB), tokenizer {args.tokenizer}, max length {args.max_length}")
        print(f"rows: HF {rows_hf}, dsprep {rows_ds}; rows whose input_ids differ: {mismatches}")
        print(f"{'':22}{'seconds':>9}{'MB/s':>8}{'peak RSS MB':>13}")
        print(f"{'HF datasets+tokenizers':22}{hf_s:>9.2f}{size_mb / hf_s:>8.1f}{max(r[1] for r in hf):>13.0f}")
        print(f"{'dsprep cold':22}{cold_s:>9.2f}{size_mb / cold_s:>8.1f}{max(r[1] for r in cold):>13.0f}")
        print(f"{'dsprep warm (cache)':22}{warm_s:>9.3f}{'':>8}{max(r[1] for r in warm):>13.0f}")
        print(f"cold: dsprep is {hf_s / cold_s:.1f}x faster than HF (goal >= 15x); warm {warm_s:.3f} s (goal <= 0.05 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
