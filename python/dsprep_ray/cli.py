"""`dsprep-ray`: the command line of the launcher."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys

# Set before Ray is imported (it reads it then): a local Ray keeps every server on 127.0.0.1
# instead of the node's network address (Ray's single-machine mode, as on macOS).
LOOPBACK_ONLY = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}

USAGE = """dsprep-ray tokenize INPUT... --num-shards K --out DIR [--address ADDR] [--dsprep PATH] [tokenize flags...]
       dsprep-ray vocab INPUT... --num-shards K --out VOCAB [--address ADDR] [--dsprep PATH] [vocab train flags...]
       dsprep-ray local-session --env-file FILE [--num-cpus N]"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dsprep-ray", usage=USAGE,
                                     description="Tokenize a corpus or train a vocabulary across a Ray cluster; the same bytes as one machine.")
    launcher = argparse.ArgumentParser(add_help=False)
    launcher.add_argument("inputs", nargs="+", metavar="INPUT")
    launcher.add_argument("--num-shards", type=int, required=True, help="shards = Ray tasks (HF's contiguous row ranges)")
    launcher.add_argument("--address", help="Ray cluster address (default: RAY_ADDRESS, else a local Ray)")
    launcher.add_argument("--dsprep", default=os.environ.get("DSPREP_BIN") or "dsprep",
                          help="the dsprep binary, at this path on every node (default: DSPREP_BIN, else dsprep on PATH)")
    launcher.add_argument("--num-cpus", type=int, help="CPUs of a local Ray started here (default: all)")
    launcher.add_argument("--cpus-per-task", type=int, default=1, help="num_cpus of each task = its dsprep --threads (default 1)")
    launcher.add_argument("--max-retries", type=int, default=3, help="retries of a task whose worker or dsprep died (default 3)")
    launcher.add_argument("--keep-parts", action="store_true", help="keep the plan and the shards' parts (beside --out)")
    launcher.add_argument("--stats-json", help="write the figures (seconds, bytes read per shard) to this file")
    launcher.add_argument("--quiet", action="store_true", help="no progress")
    shared = "Inputs, output, tokenizer and dsprep binary must be on storage every node sees, at the same path."
    commands = parser.add_subparsers(dest="command", required=True)
    tokenize = commands.add_parser(
        "tokenize", usage=USAGE.splitlines()[0], parents=[launcher], epilog=shared,
        help="plan, one Ray task per shard, merge (other flags go to `dsprep tokenize`: --tokenizer, --max-length, ...)")
    tokenize.add_argument("--out", required=True, help="output folder (a single run's bytes)")
    vocab = commands.add_parser(
        "vocab", usage=USAGE.splitlines()[1].strip(), parents=[launcher], epilog=shared,
        help="plan, count the words of each shard as a Ray task, train on the driver (other flags go to `dsprep vocab train`: "
             "--vocab-size, --model, ...)")
    vocab.add_argument("--out", required=True, help="the vocabulary: a .json/.model file or a folder (a single run's bytes)")
    vocab.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    session = commands.add_parser(
        "local-session", help="hold a local Ray on 127.0.0.1 until stdin closes or SIGTERM (for tests and benchmarks)")
    session.add_argument("--num-cpus", type=int, default=2)
    session.add_argument("--env-file", required=True,
                         help="where to write RAY_ADDRESS, RAY_AUTH_MODE and RAY_AUTH_TOKEN (KEY=VALUE lines) once it is up")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    arguments, rest = parser.parse_known_args(argv)
    address = getattr(arguments, "address", None) or os.environ.get("RAY_ADDRESS")
    if not address or address.rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]"):  # = launcher.is_loopback
        os.environ.update(LOOPBACK_ONLY)
    if not address and "RAY_AUTH_TOKEN" not in os.environ:
        # A Ray started here gets its own token, rather than one written to (or read from) ~/.ray.
        os.environ.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    from . import launcher
    if arguments.command == "local-session":
        if rest:
            parser.error(f"unknown arguments: {' '.join(rest)}")
        launcher.hold_local_session(arguments.num_cpus, arguments.env_file)
        return 0
    if arguments.num_shards < 1 or arguments.cpus_per_task < 1 or arguments.max_retries < 0:
        parser.error("--num-shards and --cpus-per-task must be at least 1, --max-retries at least 0")
    for flag in ("--threads", "--plan", "--plan-out", "--shard-index"):
        if any(item == flag or item.startswith(flag + "=") for item in rest):
            parser.error(f"{flag} is set by dsprep-ray (use --cpus-per-task for threads)")
    if os.sep not in arguments.dsprep and shutil.which(arguments.dsprep) is None:
        parser.error(f"no '{arguments.dsprep}' on PATH: give --dsprep PATH or set DSPREP_BIN")
    options = launcher.Options(
        inputs=arguments.inputs, out=arguments.out, num_shards=arguments.num_shards, dsprep=arguments.dsprep,
        address=arguments.address, num_cpus=arguments.num_cpus, cpus_per_task=arguments.cpus_per_task,
        max_retries=arguments.max_retries, keep_parts=arguments.keep_parts, flags=rest,
        overwrite=getattr(arguments, "overwrite", False), stats_json=arguments.stats_json, quiet=arguments.quiet)
    try:
        (launcher.vocab if arguments.command == "vocab" else launcher.tokenize)(options)
    except launcher.DsprepError as error:
        # From a task, Ray wraps the error with the worker's traceback; its cause is what dsprep said.
        print(f"dsprep-ray: {getattr(error, 'cause', None) or error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
