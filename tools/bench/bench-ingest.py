#!/usr/bin/env python3
"""Benchmark: ingest a TSV into a dataset folder and reopen it, dsprep vs HF datasets, same run.

usage: tools/bench/bench-ingest.py [TSV] [--runs N]
  TSV   default ../shared/data/reviews/reviews.tsv (639k rows, 64 MB)
Run with the peer venv's python (tools/setup/setup-peers.sh prints it); builds dsprep in release mode.
HF: load_dataset("csv", delimiter="\\t", quoting=3) into an empty cache + save_to_disk, then
load_from_disk. dsprep: `dsprep ingest` (cache disabled), then the open time `dsprep inspect`
reports. Wall times are medians of N runs, each run a fresh process; peak RSS from wait4.
"""
import argparse, os, pathlib, shutil, subprocess, sys, tempfile

from measure import best_of

ROOT = pathlib.Path(__file__).resolve().parents[2]

HF_INGEST = """
import sys, datasets
datasets.disable_progress_bars()
d = datasets.load_dataset("csv", data_files=sys.argv[1], delimiter="\\t", quoting=3, cache_dir=sys.argv[2], split="train")
d.save_to_disk(sys.argv[3])
print(len(d))
"""
HF_REOPEN = """
import sys, time, datasets
start = time.perf_counter()
d = datasets.load_from_disk(sys.argv[1])
n = len(d)
print(f"{(time.perf_counter() - start) * 1000:.2f}")
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tsv", nargs="?", default=str(ROOT.parent / "shared/data/reviews/reviews.tsv"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "dsprep"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    dsprep = str(ROOT / ".build/release/dsprep")
    size_mb = os.path.getsize(args.tsv) / 1e6
    work = pathlib.Path(tempfile.mkdtemp(prefix="dsprep-bench-"))
    try:
        def hf_ingest():
            shutil.rmtree(work / "hf-cache", ignore_errors=True)
            shutil.rmtree(work / "hf-out", ignore_errors=True)
            return [sys.executable, "-c", HF_INGEST, args.tsv, str(work / "hf-cache"), str(work / "hf-out")]

        hf_times = [best_of(1, hf_ingest()) for _ in range(args.runs)]
        hf_seconds = sorted(t[0] for t in hf_times)[len(hf_times) // 2]
        hf_rss = max(t[1] for t in hf_times)
        hf_rows = hf_times[-1][2].strip()
        _, _, hf_open = best_of(1, [sys.executable, "-c", HF_REOPEN, str(work / "hf-out")])

        env = {"DSPREP_CACHE": str(work / "dsprep-cache")}
        ds_seconds, ds_rss, _ = best_of(args.runs, [dsprep, "ingest", args.tsv, "--out", str(work / "ds-out"),
                                                    "--quiet"], env)
        _, _, inspect = best_of(1, [dsprep, "inspect", str(work / "ds-out"), "--rows", "0"], env)
        ds_open = next((line.split("opened in ")[1].split(" ms")[0] for line in inspect.splitlines()
                        if "opened in " in line), "?")
        ds_rows = next((line for line in inspect.splitlines() if "rows" in line), "").strip()

        print(f"input: {args.tsv} ({size_mb:.1f} MB), HF rows: {hf_rows}; dsprep: {ds_rows}")
        print(f"{'':18}{'ingest s':>10}{'MB/s':>8}{'peak RSS MB':>13}{'reopen ms':>11}")
        print(f"{'HF datasets':18}{hf_seconds:>10.2f}{size_mb / hf_seconds:>8.0f}{hf_rss:>13.0f}{float(hf_open):>11.2f}")
        print(f"{'dsprep':18}{ds_seconds:>10.2f}{size_mb / ds_seconds:>8.0f}{ds_rss:>13.0f}{float(ds_open):>11.2f}")
        print(f"dsprep cold ingest is {hf_seconds / ds_seconds:.1f}x faster than HF (goal >= 5x); reopen {ds_open} ms (goal < 10 ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
