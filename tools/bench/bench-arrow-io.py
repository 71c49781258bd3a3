#!/usr/bin/env python3
"""Benchmark: open and rewrite an HF-written save_to_disk dataset, dsprep vs HF datasets, same run.

usage: tools/bench/bench-arrow-io.py [TSV] [--runs N] [--dsprep RELEASE_BINARY]
  TSV   default ../shared/data/reviews/reviews.tsv (639k rows, 64 MB)
Run with the peer venv's python (tools/setup/setup-peers.sh prints it); builds dsprep in release mode.

HF first builds the dataset dsprep has to read: the TSV plus an `input_ids` list<int32> column
(one id per character, like a tokenized corpus), saved with save_to_disk (500 MB shards, record
batches of 1000 rows). Then, each in fresh processes, median of N runs:
  open     HF: load_from_disk + one row's input_ids; dsprep: the open time `dsprep inspect` reports
  rewrite  HF: load_from_disk(...).save_to_disk(out); dsprep: `dataset concat SOURCE --out` (open, then
           write the shared batches through the Arrow stream writer), wall time incl. start-up
"""
import argparse, os, pathlib, shutil, subprocess, sys, tempfile

from measure import best_of

ROOT = pathlib.Path(__file__).resolve().parents[2]

HF_BUILD = """
import sys, datasets
datasets.disable_progress_bars()
d = datasets.load_dataset("csv", data_files=sys.argv[1], delimiter="\\t", quoting=3, cache_dir=sys.argv[2], split="train")
ids = datasets.List(datasets.Value("int32"))
d = d.map(lambda b: {"input_ids": [[ord(c) % 32000 for c in (t or "")] for t in b["document"]]}, batched=True,
          features=datasets.Features({**d.features, "input_ids": ids}))
d.save_to_disk(sys.argv[3])
print(len(d))
"""
HF_OPEN = """
import sys, time, datasets
start = time.perf_counter()
d = datasets.load_from_disk(sys.argv[1])
ids = d.data.column("input_ids")[1000].as_py()
print(f"{(time.perf_counter() - start) * 1000:.2f}")
"""
HF_REWRITE = """
import sys, datasets
datasets.disable_progress_bars()
datasets.load_from_disk(sys.argv[1]).save_to_disk(sys.argv[2])
"""


def folder_mb(path):
    return sum(f.stat().st_size for f in pathlib.Path(path).rglob("*.arrow")) / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tsv", nargs="?", default=str(ROOT.parent / "shared/data/reviews/reviews.tsv"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dsprep", help="a release dsprep binary to use instead of building one")
    args = parser.parse_args()
    dsprep = args.dsprep
    if dsprep is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "dsprep"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        dsprep = str(ROOT / ".build/release/dsprep")
    work = pathlib.Path(tempfile.mkdtemp(prefix="dsprep-bench-arrow-"))
    source = str(work / "hf-tokenized")
    try:
        _, _, rows = best_of(1, [sys.executable, "-c", HF_BUILD, args.tsv, str(work / "hf-cache"), source])
        size = folder_mb(source)
        opens = [float(best_of(1, [sys.executable, "-c", HF_OPEN, source])[2]) for _ in range(args.runs)]
        hf_open = sorted(opens)[len(opens) // 2]
        inspects = [best_of(1, [dsprep, "inspect", source, "--rows", "0"])[2] for _ in range(args.runs)]
        ds_opens = sorted(float(next(line.split("opened in ")[1].split(" ms")[0] for line in out.splitlines()
                                     if "opened in " in line)) for out in inspects)
        ds_open = ds_opens[len(ds_opens) // 2]

        def fresh(name):
            shutil.rmtree(work / name, ignore_errors=True)
            return str(work / name)

        hf_rewrite = sorted(best_of(1, [sys.executable, "-c", HF_REWRITE, source, fresh("hf-copy")])[0]
                            for _ in range(args.runs))[args.runs // 2]
        ds_rewrite, ds_rss, _ = best_of(args.runs, [dsprep, "dataset", "concat", source, "--out", str(work / "ds-copy")])
        ds_size = folder_mb(work / "ds-copy")

        print(f"dataset: {rows.strip()} rows, {size:.0f} MB of Arrow (HF-written); dsprep copy {ds_size:.0f} MB")
        print(f"{'':14}{'open ms':>10}{'rewrite s':>11}{'MB/s':>8}")
        print(f"{'HF datasets':14}{hf_open:>10.2f}{hf_rewrite:>11.2f}{size / hf_rewrite:>8.0f}")
        print(f"{'dsprep':14}{ds_open:>10.2f}{ds_rewrite:>11.2f}{size / ds_rewrite:>8.0f}  (peak RSS {ds_rss:.0f} MB)")
        print(f"dsprep opens {hf_open / ds_open:.0f}x faster and rewrites {hf_rewrite / ds_rewrite:.1f}x faster than HF")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
