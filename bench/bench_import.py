"""Import benchmark: our full import against a raw pyarrow CSV read of a 1M-line Shopify export.

Each run is a whole process (interpreter start, imports, the read), timed from spawn to exit with
its own peak RSS; they alternate so a busy moment of the machine hits all alike. Both our
import and the raw read use the Arrow allocator core/__init__.py chooses; a raw read with
pyarrow's default allocator is shown beside them."""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DEFAULT_LINES = 1_000_000
SEED = 1
GOAL_RATIO = 2.0


def ensure_export(lines: int) -> Path:
    """The seeded export for `lines` rows, generated once and cached under bench/out/."""
    path = OUT / f"shopify_{lines}_seed{SEED}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        started = time.perf_counter()
        # In a subprocess: this process must stay small until the peak-RSS children are started.
        subprocess.run([sys.executable, __file__, "--generate", str(lines), str(partial)],
                       check=True, cwd=ROOT)
        partial.rename(path)  # an interrupted run never leaves a truncated file in the cache
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def read_raw(path: Path) -> int:
    import core  # noqa: F401  the Arrow allocator our process uses (core/__init__.py), like for like
    import pyarrow.csv

    return pyarrow.csv.read_csv(path).num_rows


def read_raw_default(path: Path) -> int:
    """The raw read as pyarrow does it by default (mimalloc on Linux): shown, not the baseline."""
    os.environ.pop("ARROW_DEFAULT_MEMORY_POOL", None)
    import pyarrow.csv

    return pyarrow.csv.read_csv(path).num_rows


def read_ours(path: Path) -> int:
    from core.importing import import_files

    book = import_files([path])
    return len(book.lines)


PHASES = {"raw": read_raw, "ours": read_ours, "raw_default_allocator": read_raw_default}


def run_process(command: list[str]) -> tuple[float, float]:
    """Seconds from spawn to exit of `command` (run in the project folder, output discarded) and
    its own peak RSS in MB (wait4 gives the rusage of that child alone)."""
    started = time.perf_counter()
    child_process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child_process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed: {child_process.stderr.read().decode(errors='replace')[-2000:]}")
    child_process.stderr.close()
    return seconds, round(usage.ru_maxrss / 1024, 1)  # KiB on Linux


def child(phase: str, path: Path) -> None:
    PHASES[phase](path)


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))


def alternate(commands: dict[str, list[str]], runs: int) -> dict[str, dict]:
    """Run each command once per round, `runs` rounds: per command its times, median and peak RSS.
    The project's bytecode is compiled first, as an installed app (or any second run) has it: an
    environment with PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run."""
    compileall.compile_dir(ROOT / "core", quiet=1)
    compileall.compile_file(ROOT / "main.py", quiet=1)
    out = {name: {"s": [], "peak_mb": 0.0} for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds, peak = run_process(command)
            out[name]["s"].append(round(seconds, 3))
            out[name]["peak_mb"] = max(out[name]["peak_mb"], peak)
            print(f"  {name}: {seconds:.2f} s, peak {peak:.0f} MB", flush=True)
    for entry in out.values():
        entry["median_s"] = round(statistics.median(entry["s"]), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="line items in the export")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per phase")
    parser.add_argument("--child", nargs=2, metavar=("PHASE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("LINES", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.generate:
        from core.demo import write_shopify_export

        write_shopify_export(Path(args.generate[1]), int(args.generate[0]), seed=SEED)
        return

    path = ensure_export(args.lines)
    size, lines = path.stat().st_size, count_lines(path)  # also warms the page cache
    print(f"file {path.name}: {size / 1e6:.1f} MB, {lines} lines (header + {lines - 1} rows)")
    runs = alternate({phase: [sys.executable, __file__, "--child", phase, str(path)] for phase in PHASES},
                     args.runs)
    raw, ours, raw_default = runs["raw"], runs["ours"], runs["raw_default_allocator"]
    ratio = ours["median_s"] / raw["median_s"]
    print(f"median raw pyarrow.csv.read_csv process : {raw['median_s']:.2f} s, peak {raw['peak_mb']:.0f} MB")
    print(f"median our import process               : {ours['median_s']:.2f} s, peak {ours['peak_mb']:.0f} MB")
    print(f"(raw read with pyarrow's default allocator: {raw_default['median_s']:.2f} s, peak "
          f"{raw_default['peak_mb']:.0f} MB)")
    print(f"import ratio ours/raw: {ratio:.2f} (goal <= {GOAL_RATIO:g}: {'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    result = {
        "file": str(path.relative_to(ROOT)), "size_bytes": size, "lines": lines, "runs": args.runs,
        "what": "whole process (spawn to exit), alternating, median of runs; peak RSS per process",
        "raw": raw, "ours": ours, "raw_default_allocator": raw_default,
        "ratio": round(ratio, 3), "goal_ratio": GOAL_RATIO,
        "goal_met": ratio <= GOAL_RATIO, "python": platform.python_version(), "cpus": os.cpu_count(),
    }
    # Quick runs with --lines get their own file so they never overwrite the real result.
    name = "import.json" if args.lines == DEFAULT_LINES else f"import_{args.lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
