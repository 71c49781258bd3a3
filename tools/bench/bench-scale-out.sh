#!/usr/bin/env bash
# Scale-out benchmark: the review corpus repeated to >= 600 MB, tokenized by one dsprep process
# (all cores) and by dsprep-ray with K = 2 and K = 8 one-thread tasks on a local Ray with the
# same cores. Reports wall times, Ray's overhead over the single process, bytes read and peak
# memory of the plan and of each task, and checks that every output has the single run's bytes.
# usage: tools/bench/bench-scale-out.sh [COPIES] [ROUNDS]   (default 10: 10 × reviews.tsv ≈ 640 MB, in $DSPREP_BENCH_DIR or /tmp;
#   3 rounds, each running the single process, K = 2 and K = 8 in a rotated order: the overhead is the
#   median over rounds of each round's own ratio, so a machine that slows down between rounds does not bias it)
# Uses $DSPREP_BIN when given, else builds dsprep in release mode with --static-swift-stdlib.
source "$(dirname "$0")/../lib/preamble.sh"
copies="${1:-10}"
rounds="${2:-3}"
cores="$(nproc)"
reviews="${DSPREP_REVIEWS:-../shared/data/reviews/reviews.tsv}"
[ -f "$reviews" ] || reviews=/work/shared/data/reviews/reviews.tsv
work="${DSPREP_BENCH_DIR:-/tmp/dsprep-bench-scale-out}"
mkdir -p "$work"
if [ -n "${DSPREP_BIN:-}" ]; then
  dsprep="$DSPREP_BIN"
else
  swift build -c release --static-swift-stdlib --product dsprep >&2
  dsprep="$(swift build -c release --static-swift-stdlib --show-bin-path)/dsprep"
fi
python="$(tools/setup/setup-ray.sh | tail -1)"
launcher="$(dirname "$python")/dsprep-ray"
tokenizer="$PWD/vocab/default-tokenizer.json"

input="$work/reviews-x$copies.tsv"
if [ ! -f "$input" ]; then
  { head -1 "$reviews"; for _ in $(seq "$copies"); do tail -n +2 "$reviews"; done; } > "$input.tmp"
  mv "$input.tmp" "$input"
fi
echo "input: $input ($(du -m "$input" | cut -f1) MB), $cores cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# One local, loopback-only Ray for all runs; its start-up is reported apart.
session_env="$work/ray.env"
rm -f "$session_env"
session_start=$(date +%s.%N)
exec 3> >(env -u RAY_ADDRESS "$launcher" local-session --num-cpus "$cores" --env-file "$session_env" 2>"$work/session.log")
while [ ! -f "$session_env" ]; do sleep 0.2; done
session_seconds=$(echo "$(date +%s.%N) - $session_start" | bc)
trap 'exec 3>&-; sleep 5' EXIT   # closing stdin shuts the session's Ray down

"$python" - "$dsprep" "$launcher" "$input" "$tokenizer" "$work" "$session_env" "$session_seconds" "$cores" "$rounds" <<'PY'
import json, os, resource, statistics, subprocess, sys, time, shutil
dsprep, launcher, source, tokenizer, work, session_env, session_seconds, cores, rounds = sys.argv[1:]
env = dict(os.environ, **dict(line.strip().split("=", 1) for line in open(session_env) if "=" in line))
size = os.path.getsize(source)

def timed(command, **kwargs):
    start = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.monotonic() - start

def data_bytes(folder):
    # The dataset's files (data-*.arrow, dataset_info.json, state.json); a single run also leaves its summary.
    names = sorted(name for name in os.listdir(folder) if name.endswith(".arrow") or name in ("dataset_info.json", "state.json"))
    return names, [open(os.path.join(folder, name), "rb").read() for name in names]

single = os.path.join(work, "single")
reference = None

def run_single():
    global reference
    shutil.rmtree(single, ignore_errors=True)
    seconds = timed([dsprep, "tokenize", source, "--tokenizer", tokenizer, "--out", single, "--no-cache", "--quiet", "--threads", cores])
    reference = reference or data_bytes(single)
    return {"seconds": seconds}

def run_ray(shards):
    out = os.path.join(work, f"ray-k{shards}")
    figures = os.path.join(work, f"ray-k{shards}.json")
    shutil.rmtree(out, ignore_errors=True)
    seconds = timed([launcher, "tokenize", source, "--num-shards", str(shards), "--out", out, "--dsprep", dsprep,
                     "--tokenizer", tokenizer, "--stats-json", figures, "--quiet"], env=env)
    result = dict(json.load(open(figures)), seconds=seconds)
    if data_bytes(out) != reference:
        sys.exit(f"K={shards}: the output differs from the single run")
    shutil.rmtree(out, ignore_errors=True)
    return result

print(f"input {size / 1e6:.0f} MB; local Ray session start-up {float(session_seconds):.1f} s (once, not counted below)")
runs = {"single": run_single, 2: lambda: run_ray(2), 8: lambda: run_ray(8)}
order = list(runs)
results = {name: [] for name in runs}
run_single()  # the reference bytes, and warm page cache for every later run
single_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # before any launcher (Python + Ray) ran
for round in range(int(rounds)):
    for name in order[round % len(order):] + order[:round % len(order)]:
        results[name].append(runs[name]())
    line = ", ".join(f"K={name} {result[-1]['seconds']:.2f} s ({100 * (result[-1]['seconds'] / results['single'][-1]['seconds'] - 1):+.1f}%)"
                     for name, result in results.items() if name != "single")
    print(f"round {round + 1}: single {results['single'][-1]['seconds']:.2f} s; {line}")

singles = [run["seconds"] for run in results["single"]]
print(f"\nsingle process, {cores} threads: median {statistics.median(singles):.2f} s, "
      f"peak RSS {single_rss / 1024:.0f} MB")
for shards in (2, 8):
    ratios = [ray["seconds"] / one for ray, one in zip(results[shards], singles)]
    last = results[shards][-1]
    median = lambda key: statistics.median(run[key] for run in results[shards])
    print(f"dsprep-ray K={shards} (1-thread tasks on {cores} CPUs): median {median('seconds'):.2f} s, overhead median "
          f"{100 * (statistics.median(ratios) - 1):+.1f}% (rounds: {', '.join(f'{100 * (r - 1):+.1f}%' for r in ratios)}); "
          f"medians: plan {median('plan_seconds'):.2f} s, tasks {median('tasks_seconds'):.2f} s, merge {median('merge_seconds'):.2f} s; "
          f"plan read {last['plan_bytes_read'] / size:.3f} of the input, peak RSS {last['plan_peak_resident_bytes'] / 1e6:.0f} MB; "
          f"identical to the single run: True")
    for shard in last["shards"]:
        read = shard["bytesRead"]
        print(f"  shard {shard['shard']}: read {read / 1e6:.1f} MB = {read / size:.3f} of the input (1/K = {1 / shards:.3f}), "
              f"rchar {shard['processReadBytes'] / 1e3:.0f} kB (read(2): plan, tokenizer), peak RSS {shard['peakResidentBytes'] / 1e6:.0f} MB, "
              f"{shard['seconds']:.2f} s in dsprep")
shutil.rmtree(single, ignore_errors=True)
PY
