"""Run one benchmark against two versions of Kiln in the same run, alternating, and compare their figures.

Each round runs the benchmark once in a scratch copy of the base commit and once in this tree (or in a
copy of --head), which goes first alternating, each as its own process importing its own tree's code.
It prints each figure's median for both sides, the ratio (this change / base) and the run-to-run
spread (min-max over the rounds). Run from the repository root:

    .venv/bin/python -m bench.versus --base 217f9b6 --rounds 3 -- bench.bake --sizes 100,1000 --approvals 50
    .venv/bin/python -m bench.versus --base 217f9b6 -- bench.intake --compare-isso --comments 1000 --db sqlite
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
Figures = dict[str, float]

# One row of bench/bake.py's table: posts, comments, full build s, p50 ms, p99 ms, call p50, build / p50.
BAKE_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d,]+)x\s*$")
BAKE_COLUMNS = ("full build s", "p50 ms", "p99 ms", "call p50 ms")
# bench/intake.py's JSON rows; the same service name recurs once per intake round, so its median is taken.
INTAKE_COLUMNS = ("per s", "p50 ms", "p99 ms", "worker CPU ms per comment")
INTAKE_RATIOS = {
    "Kiln/Isso throughput": re.compile(r"^throughput Kiln/Isso \(1 process.*?: ([\d.]+)x"),
    "Kiln/Isso p99": re.compile(r"^throughput Kiln/Isso \(1 process.*p99 Kiln/Isso: ([\d.]+)"),
    "Isso/Kiln worker CPU per comment": re.compile(r"^worker processor time per comment, Isso/Kiln.*?: ([\d.]+)x"),
}
# Figures where more is better; for every other figure (times, memory) less is.
HIGHER_IS_BETTER = ("per s", "Kiln/Isso throughput", "Isso/Kiln worker CPU per comment")


def parse_bake(out: str) -> Figures:
    """Read bench/bake.py's table: one figure per size and column."""
    figures: Figures = {}
    for line in out.splitlines():
        if match := BAKE_ROW.match(line):
            posts, comments, *values = match.groups()
            figures[f"{posts} posts: comments"] = float(comments)
            for column, value in zip(BAKE_COLUMNS, values[:4], strict=True):
                figures[f"{posts} posts: {column}"] = float(value)
    return figures


def parse_intake(out: str) -> Figures:
    """Read bench/intake.py's JSON rows (median per service) and its Kiln/Isso ratio lines."""
    seen: defaultdict[str, list[float]] = defaultdict(list)
    faults: Figures = {}
    for line in out.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            service = row["service"]
            for column in INTAKE_COLUMNS:
                if isinstance(row.get(column), int | float):
                    seen[f"{service}: {column}"].append(float(row[column]))
            if row.get("peak RSS MiB per worker"):
                seen[f"{service}: peak RSS MiB"].append(max(row["peak RSS MiB per worker"]))
            # Errors and audit failures are not speed, but a run that has any is not comparable.
            faults[f"{service}: faults"] = faults.get(f"{service}: faults", 0.0) + sum(
                float(row.get(key) or 0) for key in ("errors", "lost", "wrong id", "duplicated")
            )
        for name, pattern in INTAKE_RATIOS.items():
            if match := pattern.match(line):
                seen[name].append(float(match.group(1)))
    return {**{name: statistics.median(values) for name, values in seen.items()}, **faults}


PARSERS: dict[str, Callable[[str], Figures]] = {"bench.bake": parse_bake, "bench.intake": parse_intake}


@contextmanager
def tree_at(revision: str) -> Iterator[Path]:
    """Yield a scratch folder holding the files of revision (no git metadata), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"kiln-versus-{revision[:12]}-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", revision], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def environment(tree: Path) -> dict[str, str]:
    """Return the environment that makes a process import comments_service from tree, not the editable install."""
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(tree) + (os.pathsep + inherited if inherited else "")}


def check_imports(tree: Path) -> None:
    """Fail unless a process started in tree imports that tree's comments_service and bench."""
    probe = "import bench, comments_service; print(comments_service.__file__, bench.__file__, sep=chr(10))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tree, env=environment(tree), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"the code in {tree} does not import:\n{done.stderr[-3000:]}")
    out = done.stdout.splitlines()
    for path in out:
        if not Path(path).resolve().is_relative_to(tree.resolve()):
            raise SystemExit(f"a process in {tree} imports {path}, not its own tree's code")
    print(f"  {tree}: imports {out[0]}", file=sys.stderr)


def run_once(tree: Path, command: list[str]) -> tuple[str, float]:
    """Run the benchmark module in tree; return what it printed and the seconds it took."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=tree, env=environment(tree), stdout=subprocess.PIPE, text=True
    )
    took = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(
            f"{command[0]} in {tree} exited with {done.returncode}; its output ends:\n{done.stdout[-3000:]}"
        )
    return done.stdout, took


def verdict(name: str, base: list[float], this: list[float]) -> str:
    """Say whether this change's rounds all fall beyond base's in one direction, or the spreads overlap."""
    # Not speed: the same seed must give both sides the same site, and no run may lose or refuse comments.
    if name.endswith(": comments"):
        return "same" if len(set(base + this)) == 1 else "DIFFERS"
    if name.endswith(": faults"):
        return "none" if not any(base + this) else "FAULTS"
    if len(base) < 2 or len(this) < 2:
        return "one round: no spread"
    better = any(name.endswith(key) or name == key for key in HIGHER_IS_BETTER)
    if min(this) > max(base):
        return "better" if better else "WORSE"
    if max(this) < min(base):
        return "WORSE" if better else "better"
    return "within spread"


def report(base_rounds: list[Figures], this_rounds: list[Figures]) -> None:
    """Print each figure's median and spread for both sides, their ratio and a verdict."""
    names = [name for name in base_rounds[0] if all(name in r for r in base_rounds + this_rounds)]
    missing = sorted({n for r in base_rounds + this_rounds for n in r} - set(names))
    width = max(len(name) for name in names)
    print(f"{'figure':<{width}}  {'base median (min-max)':>24}  {'this median (min-max)':>24}  this/base  verdict")
    for name in names:
        base, this = [r[name] for r in base_rounds], [r[name] for r in this_rounds]
        b, t = statistics.median(base), statistics.median(this)
        ratio = f"{t / b:.3f}" if b else "-"
        said = verdict(name, base, this)
        # Isso runs the same code on both sides, so its rows show how far this machine swings on its own.
        control = " (control)" if name.startswith("isso/") else ""
        print(f"{name:<{width}}  {_spread(b, base):>24}  {_spread(t, this):>24}  {ratio:>9}  {said}{control}")
    if missing:
        print(f"not in every round's output, so not compared: {', '.join(missing)}")


def _spread(median: float, values: list[float]) -> str:
    return f"{_number(median)} ({_number(min(values))}-{_number(max(values))})"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def main() -> None:
    """Parse the arguments, set up both trees, run the rounds and print the comparison."""
    argv = sys.argv[1:]
    if "--" not in argv:
        raise SystemExit("usage: python -m bench.versus --base REV [--head REV] [--rounds N] -- bench.MODULE [ARGS]")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="commit to compare against, e.g. the previous main")
    parser.add_argument(
        "--head", help="commit to measure instead of this working tree (as it is, uncommitted edits too)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side, alternating which goes first")
    parser.add_argument("--save", type=Path, help="folder to keep each run's full output in, as SIDE-ROUND.txt")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command or command[0] not in PARSERS:
        raise SystemExit(f"the benchmark must be one of {', '.join(PARSERS)}")
    # A terminated run still removes its scratch trees.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # Named by commit: HEAD and branch names move while a long run goes on.
    base_commit = _commit(args.base)
    this_name = _commit(args.head) if args.head else _describe_working_tree()
    with tree_at(base_commit) as base, tree_at(this_name) if args.head else _here() as this:
        print(f"base {base_commit} in {base}; this change: {this_name} in {this}", file=sys.stderr)
        check_imports(base)
        check_imports(this)
        sides = {"base": base, "this": this}
        rounds: dict[str, list[Figures]] = {"base": [], "this": []}
        for number in range(args.rounds):
            order = ["base", "this"] if number % 2 == 0 else ["this", "base"]
            for side in order:
                out, took = run_once(sides[side], command)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{side}-{number + 1}.txt").write_text(out, encoding="utf-8")
                figures = PARSERS[command[0]](out)
                if not figures:
                    raise SystemExit(f"no figures in the output of {command[0]} in {sides[side]}:\n{out[-3000:]}")
                rounds[side].append(figures)
                print(f"round {number + 1}/{args.rounds}: {side} took {took:.0f} s", file=sys.stderr, flush=True)
    print(f"{' '.join(command)}: {args.rounds} rounds, base {base_commit}, this change {this_name}")
    report(rounds["base"], rounds["this"])


@contextmanager
def _here() -> Iterator[Path]:
    yield REPO


def _commit(revision: str) -> str:
    return _git("rev-parse", "--short", "--verify", f"{revision}^{{commit}}")


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _describe_working_tree() -> str:
    changed = len(_git("status", "--porcelain").splitlines())
    return f"the working tree at {_commit('HEAD')}" + (f" with {changed} uncommitted changes" if changed else "")


if __name__ == "__main__":
    main()
