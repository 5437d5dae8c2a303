"""Scale benchmark: ten 1M-line Shopify exports of one shop (10,000,000 lines) imported, segmented
(RFM, then clusters with automatic k) and planned in one process, with its wall time, peak RSS and
the split by stage (the goal of issue 18: peak RSS ≤ 4 GB)."""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.bench_import import OUT, SEED, run_process  # noqa: E402

PART_LINES = 1_000_000
DEFAULT_PARTS = 10
GOAL_MB = 4096


def ensure_parts(parts: int, lines: int) -> list[Path]:
    """The shop's `parts` seeded exports (part 0 is bench_import's file), generated once each."""
    paths = []
    for part in range(parts):
        suffix = "" if part == 0 else f"_part{part}"
        path = OUT / f"shopify_{lines}_seed{SEED}{suffix}.csv"
        if not path.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            subprocess.run([sys.executable, __file__, "--generate", str(lines), str(part), str(partial)],
                           check=True, cwd=ROOT)
            partial.rename(path)  # an interrupted run never leaves a truncated file behind
        paths.append(path)
    return paths


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    """Resident memory now (Linux), to tell what a stage keeps from what it needed while it ran."""
    with open("/proc/self/statm") as f:
        return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def child(paths: list[Path], map_id: str, out: Path) -> None:
    """The three stages in this process; each stage's seconds and the peak RSS so far go to `out`."""
    from core.importing import import_files
    from core.segments import segment
    from core.targeting.plan import make_plan, plan_json

    stages = []

    def timed(name, work):
        started = time.perf_counter()
        value = work()
        stages.append({"stage": name, "s": round(time.perf_counter() - started, 2), "peak_mb": peak_mb(),
                       "rss_after_mb": rss_mb()})
        return value

    book = timed("import", lambda: import_files(paths))
    seg = timed("segment", lambda: segment(book, map_id))
    plan = timed("plan (screening, pattern, strategies)", lambda: make_plan(book, map_id))
    timed("plan as JSON", lambda: plan_json(plan, "en"))
    out.write_text(json.dumps({"stages": stages, "orders": len(book.orders), "lines": len(book.lines),
                               "customers": int(len(seg.customers)), "segments": len(plan.scorecard.table)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", type=int, default=DEFAULT_PARTS, help="exports of PART_LINES lines each")
    parser.add_argument("--part-lines", type=int, default=PART_LINES, help="line items per export")
    parser.add_argument("--map", default="clusters", help="the segmentation the plan uses")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, metavar=("LINES", "PART", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        from core.demo import write_shopify_export

        write_shopify_export(Path(args.generate[2]), int(args.generate[0]), seed=SEED, part=int(args.generate[1]))
        return
    if args.child:
        child([Path(p) for p in args.child[1:]], args.map, Path(args.child[0]))
        return

    paths = ensure_parts(args.parts, args.part_lines)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} files, {size / 1e9:.2f} GB, {args.parts * args.part_lines:,} lines", flush=True)
    stages_file = OUT / ".scale_stages.json"
    seconds, peak = run_process([sys.executable, __file__, "--map", args.map, "--child", str(stages_file),
                                 *map(str, paths)])
    inside = json.loads(stages_file.read_text())
    stages_file.unlink()
    for stage in inside["stages"]:
        print(f"  {stage['stage']:<40} {stage['s']:8.1f} s   peak so far {stage['peak_mb']:6.0f} MB, "
              f"held after it {stage['rss_after_mb']:6.0f} MB")
    print(f"whole process: {seconds:.1f} s, peak {peak:.0f} MB (goal <= {GOAL_MB} MB: "
          f"{'met' if peak <= GOAL_MB else 'NOT met'}); {inside['customers']:,} customers, "
          f"{inside['orders']:,} orders")
    result = {"files": [str(p.relative_to(ROOT)) for p in paths], "size_bytes": size,
              "lines": inside["lines"], "orders": inside["orders"], "customers": inside["customers"],
              "map": args.map, "seconds": round(seconds, 1), "peak_mb": peak, "goal_mb": GOAL_MB,
              "goal_met": peak <= GOAL_MB, "stages": inside["stages"],
              "what": "one whole process (spawn to exit), peak RSS from wait4; stages timed inside it",
              "python": platform.python_version(), "cpus": os.cpu_count()}
    name = "scale.json" if (args.parts, args.part_lines) == (DEFAULT_PARTS, PART_LINES) else \
        f"scale_{args.parts}x{args.part_lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
