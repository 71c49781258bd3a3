"""Plan on the driver, one Ray task per shard, merge in shard order.

Every step that reads or writes data is the `dsprep` binary: the plan
(`dsprep tokenize INPUT --plan-out`, `dsprep vocab train INPUT --plan-out`), each shard
(`dsprep tokenize --plan P --shard-index I`, `dsprep vocab count --plan P --shard-index I`, which
read only the shard's byte ranges of the inputs) and the merge (`dsprep merge`,
`dsprep vocab merge`). Python only schedules. A shard writes its part atomically, so a retried or
duplicated attempt leaves the same bytes, and the merge runs only once every shard has succeeded.

Ray is imported and joined while the plan runs (`_run`), so its start-up (about a second) is not
added to the job's wall time; that is why `ray` is imported inside the functions that use it. A
Ray this call joined is left once the shards are merged: left at the interpreter's exit instead,
Ray waits half a second more (its atexit hook sleeps to let late error messages print).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

STATS_PREFIX = "dsprep-shard-stats "
PROGRESS_LINE = re.compile(r"(\d+)/(\d+) rows")
# How often the driver prints the running shards' progress.
PROGRESS_SECONDS = 5.0
# Testing hook: comma-separated shard indices whose first attempt is killed (dsprep and the Ray
# worker), to check that retries leave the same bytes.
FAIL_FIRST_ATTEMPT_ENV = "DSPREP_RAY_FAIL_FIRST_ATTEMPT"
# The dsprep commands run here never multiply matrices, but OpenBLAS starts its thread pool when
# the binary loads, and the idle threads spin for about 0.1 s of CPU: on a busy node that time is
# taken from the shard beside it, once per process.
NO_BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}


def _dsprep_env(**extra: str) -> dict:
    return dict(os.environ, **NO_BLAS_THREADS, **extra)


class DsprepError(RuntimeError):
    """dsprep exited with an error: deterministic (a bad or changed input), so not retried."""


class ShardCrashed(RuntimeError):
    """dsprep died from a signal (e.g. killed by the OOM killer): worth a retry."""


@dataclass
class Options:
    inputs: list[str]
    out: str
    num_shards: int
    dsprep: str = "dsprep"
    address: str | None = None
    num_cpus: int | None = None  # only for a local Ray started here
    cpus_per_task: int = 1
    max_retries: int = 3
    keep_parts: bool = False
    flags: list[str] = field(default_factory=list)  # for the plan: `dsprep tokenize` / `dsprep vocab train` flags
    overwrite: bool = False  # vocab: replace an existing --out file
    stats_json: str | None = None
    quiet: bool = False


@dataclass(frozen=True)
class Job:
    """The dsprep commands of one kind of job: the plan, a shard, the merge."""
    plan: tuple[str, ...]
    shard: tuple[str, ...]
    part: str  # a shard's output, beside the plan
    inputs_key: str  # the plan's list of inputs, each with its PlannedInput under "input"
    merge: Callable[[str, str, list[str], str, bool], list[str]]  # (dsprep, plan, parts, out, overwrite) -> command


TOKENIZE = Job(plan=("tokenize",), shard=("tokenize",), part="part-{}", inputs_key="splits",
               merge=lambda dsprep, plan, parts, out, overwrite: [dsprep, "merge", *parts, "--out", out])
# A counts file is a file: an attempt that finished writing it before its worker died leaves it for the retry to replace.
VOCAB = Job(plan=("vocab", "train"), shard=("vocab", "count", "--overwrite"), part="counts-{}", inputs_key="inputs",
            merge=lambda dsprep, plan, parts, out, overwrite: [dsprep, "vocab", "merge", "--plan", plan, *parts, "--out", out,
                                                               *(["--overwrite"] if overwrite else [])])


def _run_command(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_dsprep_env())


def _fail(command: list[str], result: subprocess.CompletedProcess) -> DsprepError:
    return DsprepError(f"{' '.join(command[:3])} ... exited with {result.returncode}:\n{result.stderr.strip()}")


class ShardBoard:
    """Attempts and states of the shards, so the driver can show progress per shard and a task
    knows which attempt it is (a Ray actor: `_run` makes it remote)."""

    def __init__(self, count: int):
        self.attempts = [0] * count
        self.states = ["waiting"] * count
        self.rows = [(0, 0)] * count  # (done, total) of the running attempt

    def progress(self, index: int, done: int, total: int) -> None:
        self.rows[index] = (done, total)

    def started(self, index: int, node: str) -> int:
        self.attempts[index] += 1
        self.states[index] = f"running on {node} (attempt {self.attempts[index]})"
        return self.attempts[index]

    def snapshot(self) -> tuple[list[str], list[tuple[int, int]]]:
        return self.states, self.rows


def _die_with_parent() -> None:
    # Linux PR_SET_PDEATHSIG: dsprep is killed when its Ray worker dies, so a lost attempt cannot
    # keep writing beside its retry.
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _follow_progress(stream, board, index: int, errors: list[str]) -> None:
    """Reads dsprep's stderr: progress lines (DSPREP_PROGRESS=lines) go to the board, the rest is kept for errors."""
    for line in stream:
        match = PROGRESS_LINE.search(line)
        if match:
            board.progress.remote(index, int(match[1]), int(match[2]))
        else:
            errors.append(line)


def run_shard(dsprep: str, shard: tuple[str, ...], plan: str, index: int, out: str, threads: int, board,
              fail_first: list[int]) -> dict:
    """One shard as a dsprep subprocess; returns its stats line (bytes read, rows, seconds)."""
    import ray

    attempt = ray.get(board.started.remote(index, ray.util.get_node_ip_address()))
    command = [dsprep, *shard, "--plan", plan, "--shard-index", str(index), "--out", out, "--threads", str(threads)]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent,
                               env=_dsprep_env(DSPREP_PROGRESS="lines"))
    errors: list[str] = []
    follower = threading.Thread(target=_follow_progress, args=(process.stderr, board, index, errors), daemon=True)
    follower.start()
    if attempt == 1 and index in fail_first:
        time.sleep(0.2)
        process.kill()
        process.wait()
        os._exit(1)  # the worker dies mid-task, as on a lost node: Ray retries the task
    stdout = process.stdout.read()
    process.wait()
    follower.join()
    stderr = "".join(errors)
    if process.returncode < 0:
        raise ShardCrashed(f"shard {index}: dsprep killed by signal {-process.returncode}: {stderr.strip()}")
    if process.returncode != 0:
        raise DsprepError(f"shard {index}: dsprep exited with {process.returncode}:\n{stderr.strip()}")
    lines = [line for line in stdout.splitlines() if line.startswith(STATS_PREFIX)]
    if not lines:
        raise DsprepError(f"shard {index}: dsprep printed no stats line")
    stats = json.loads(lines[-1][len(STATS_PREFIX):])
    for split in stats["splits"]:
        split.pop("summary", None)  # length histograms: not needed on the driver
    stats["attempt"] = attempt
    stats["task_seconds"] = time.monotonic() - started
    return stats


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(address: str) -> bool:
    return address.rsplit(":", 1)[0] in LOOPBACK_HOSTS


def _init_ray(options: Options, package_dir: str) -> bool:
    """Starts or joins Ray unless the caller already did; returns whether this call did."""
    import ray

    if ray.is_initialized():
        return False
    address = options.address or os.environ.get("RAY_ADDRESS")  # `ray job submit` sets RAY_ADDRESS
    if not address:
        ray.init(num_cpus=options.num_cpus, include_dashboard=False, log_to_driver=False)
        return True
    # Ship this package to a cluster's workers: a node needs Ray and the dsprep binary, not dsprep-ray.
    runtime_env = None if is_loopback(address) else {"py_modules": [package_dir]}
    ray.init(address=address, runtime_env=runtime_env, log_to_driver=False)
    return True


def _worker_ready() -> None:
    return None


def _start_workers(options: Options) -> tuple:
    """The shard board (an actor, so a worker process of its own) and one no-op task per shard that
    can run at once, to start the worker processes the shard tasks will reuse; returns the board
    and the no-op tasks' references."""
    import ray

    board = ray.remote(num_cpus=0)(ShardBoard).remote(options.num_shards)
    slots = int(ray.cluster_resources().get("CPU", 1)) // options.cpus_per_task
    ready = ray.remote(num_cpus=options.cpus_per_task)(_worker_ready)
    warming = [ready.remote() for _ in range(max(1, min(options.num_shards, slots)))]
    return board, warming + [board.snapshot.remote()]


def _absolute_binary(dsprep: str) -> str:
    # A bare name is looked up on each node's PATH; a path is made absolute for the workers.
    return os.path.abspath(dsprep) if os.sep in dsprep else dsprep


def tokenize(options: Options) -> dict:
    """`dsprep tokenize` across the cluster; returns the figures (plan, tasks, merge seconds and per-shard stats)."""
    return _run(TOKENIZE, options)


def vocab(options: Options) -> dict:
    """`dsprep vocab train` across the cluster (word counts per shard, training on the driver); returns the figures."""
    return _run(VOCAB, options)


def _run(job: Job, options: Options) -> dict:
    say = (lambda text: None) if options.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    dsprep = _absolute_binary(options.dsprep)
    out = os.path.abspath(options.out)
    inputs = [os.path.abspath(path) for path in options.inputs]
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    # Beside the output, so on the storage the nodes share.
    work = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.dsprep-ray-", dir=parent)
    figures: dict = {"num_shards": options.num_shards, "cpus_per_task": options.cpus_per_task}
    try:
        started = time.monotonic()
        plan = os.path.join(work, "plan.json")
        command = [dsprep, *job.plan, *inputs, "--plan-out", plan, "--num-shards", str(options.num_shards),
                   "--quiet", *options.flags]
        planning = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_dsprep_env())
        # While the plan reads the inputs, join (or start) Ray and get its workers going: the shard
        # tasks then start at once instead of after a worker process starts for each.
        try:
            joined_ray = _init_ray(options, os.path.dirname(os.path.abspath(__file__)))
            board, warming = _start_workers(options)
        except BaseException:
            planning.kill()
            planning.wait()
            raise
        stdout, stderr = planning.communicate()
        result = subprocess.CompletedProcess(command, planning.returncode, stdout, stderr)
        if result.returncode != 0:
            raise _fail(command, result)
        with open(plan) as handle:
            planned = [entry["input"] for entry in json.load(handle)[job.inputs_key]]
        figures["plan_seconds"] = time.monotonic() - started
        # ru_maxrss of waited-for children: so far only the plan (kilobytes on Linux).
        figures["plan_peak_resident_bytes"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        figures["input_bytes"] = sum(input["size"] for input in planned)
        figures["plan_bytes_read"] = sum(input["bytesRead"] for input in planned)
        described = ", ".join(f"{os.path.basename(input['path'])}: {input['rowCount']} rows" for input in planned)
        say(f"planned {options.num_shards} shards ({described}) in {figures['plan_seconds']:.2f} s")

        import ray

        ray.get(warming)
        started = time.monotonic()
        fail_first = [int(item) for item in os.environ.get(FAIL_FIRST_ATTEMPT_ENV, "").split(",") if item.strip()]
        task = ray.remote(run_shard).options(
            num_cpus=options.cpus_per_task, max_retries=options.max_retries, retry_exceptions=[ShardCrashed])
        parts = [os.path.join(work, job.part.format(index)) for index in range(options.num_shards)]
        pending = {task.remote(dsprep, job.shard, plan, index, parts[index], options.cpus_per_task, board, fail_first): index
                   for index in range(options.num_shards)}
        stats: list[dict | None] = [None] * options.num_shards
        shown: list[str] = [""] * options.num_shards
        last_progress = time.monotonic()
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
                for ref in ready:
                    index = pending.pop(ref)
                    stats[index] = ray.get(ref)
                states, rows = ray.get(board.snapshot.remote())
                if time.monotonic() - last_progress >= PROGRESS_SECONDS:
                    last_progress = time.monotonic()
                    running = [f"{index}: {100 * done / total:.0f}%" for index, (done, total) in enumerate(rows)
                               if stats[index] is None and total > 0]
                    if running:
                        say(f"rows done per running shard: {', '.join(running)}")
                for index, state in enumerate(states):
                    if stats[index] is not None:
                        done = stats[index]
                        read = done["bytesRead"]
                        state = (f"done: {done['rows']} rows, read {read / 1e6:.1f} MB "
                                 f"({100 * read / max(done['inputBytes'], 1):.1f}% of the input) in {done['seconds']:.2f} s"
                                 f" (attempt {done['attempt']})")
                    if state != shown[index]:
                        say(f"shard {index}/{options.num_shards}: {state}")
                        shown[index] = state
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
        figures["tasks_seconds"] = time.monotonic() - started
        figures["shards"] = stats

        started = time.monotonic()
        command = job.merge(dsprep, plan, parts, out, options.overwrite)
        result = _run_command(command)
        if result.returncode != 0:
            raise _fail(command, result)
        figures["merge_seconds"] = time.monotonic() - started
        say(f"merged {options.num_shards} shards into {out} in {figures['merge_seconds']:.2f} s")
        if joined_ray:
            ray.shutdown()
    finally:
        if options.keep_parts:
            say(f"plan and parts kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if options.stats_json:
        with open(options.stats_json, "w") as handle:
            json.dump(figures, handle, indent=1)
    return figures


def hold_local_session(num_cpus: int, env_file: str) -> None:
    """Starts a local Ray on the loopback address and keeps it until stdin closes or SIGTERM;
    once it is up, `env_file` says how to reach it (KEY=VALUE lines: RAY_ADDRESS, the auth mode
    and token). Tests and benchmarks share one session across many `dsprep-ray` runs."""
    import ray

    ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    settings = {"RAY_ADDRESS": ray.get_runtime_context().gcs_address,
                "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "disabled"),
                "RAY_AUTH_TOKEN": os.environ.get("RAY_AUTH_TOKEN", "")}
    temporary = env_file + ".tmp"
    with open(temporary, "w") as handle:
        handle.writelines(f"{key}={value}\n" for key, value in settings.items())
    os.replace(temporary, env_file)  # whole or absent: a reader polls for it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        sys.stdin.read()
    finally:
        ray.shutdown()
