"""Runs a command as a child process and reports its wall time and peak RSS (from wait4)."""
import os, subprocess, sys, time


def run(command, env=None, quiet=True):
    """Returns (seconds, peak_rss_mb, stdout) of one run of `command` (a list of strings)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None,
                               env={**os.environ, **(env or {})})
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"command failed ({status}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024, output.decode("utf-8", "replace")


def best_of(runs, command, env=None):
    """Median wall time of `runs` runs, the largest peak RSS, and the last output."""
    results = [run(command, env) for _ in range(runs)]
    times = sorted(r[0] for r in results)
    return times[len(times) // 2], max(r[1] for r in results), results[-1][2]
