"""Import benchmark: our full import against a raw pyarrow CSV read of a 1M-line Shopify export."""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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
    import pyarrow.csv

    return pyarrow.csv.read_csv(path).num_rows


def read_ours(path: Path) -> int:
    from core.importing import import_files

    book = import_files([path])
    return len(book.lines)


PHASES = {"raw": read_raw, "ours": read_ours}


def peak_rss_mb(phase: str, path: Path) -> dict:
    """Run one phase once in a fresh interpreter, so each peak is its own.

    Linux carries ru_maxrss over fork and exec, so this is called while the parent is still small.
    """
    out = subprocess.run([sys.executable, __file__, "--child", phase, str(path)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(phase: str, path: Path) -> None:
    # Import the libraries first so the baseline shows what the phase itself adds.
    if phase == "ours":
        import core.importing  # noqa: F401
    else:
        import pyarrow.csv  # noqa: F401
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    PHASES[phase](path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": round(peak, 1), "baseline_mb": round(baseline, 1)}))


def count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))


def time_runs(phase: str, path: Path, runs: int) -> tuple[list[float], int]:
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = PHASES[phase](path)
        times.append(time.perf_counter() - started)
        print(f"  {phase}: {times[-1]:.3f} s ({rows} rows)")
    return times, rows


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
    peaks = {phase: peak_rss_mb(phase, path) for phase in PHASES}
    # Alternate the phases so a busy moment of the machine hits both alike.
    raw_times, ours_times = [], []
    for _ in range(args.runs):
        times, raw_rows = time_runs("raw", path, 1)
        raw_times += times
        times, our_lines = time_runs("ours", path, 1)
        ours_times += times
    raw_median, ours_median = statistics.median(raw_times), statistics.median(ours_times)
    ratio = ours_median / raw_median

    print(f"median raw pyarrow.csv.read_csv : {raw_median:.3f} s")
    print(f"median ours import_files        : {ours_median:.3f} s")
    print(f"ratio ours/raw                  : {ratio:.2f} (goal <= {GOAL_RATIO:g}: "
          f"{'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    for phase, peak in peaks.items():
        print(f"peak RSS {phase:<4}: {peak['peak_mb']:.0f} MB "
              f"(after imports {peak['baseline_mb']:.0f} MB)")

    result = {
        "file": str(path.relative_to(ROOT)), "size_bytes": size, "lines": lines,
        "rows_read_raw": raw_rows, "line_items_ours": our_lines, "runs": args.runs,
        "raw_s": [round(t, 4) for t in raw_times], "ours_s": [round(t, 4) for t in ours_times],
        "median_raw_s": round(raw_median, 4), "median_ours_s": round(ours_median, 4),
        "ratio": round(ratio, 3), "goal_ratio": GOAL_RATIO, "goal_met": ratio <= GOAL_RATIO,
        "peak_rss_mb": peaks, "python": platform.python_version(), "cpus": os.cpu_count(),
    }
    # Quick runs with --lines get their own file so they never overwrite the real result.
    name = "import.json" if args.lines == DEFAULT_LINES else f"import_{args.lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
