"""Segmentation benchmark: RFM and clusters (automatic k) on the 1M-line Shopify export, against a raw pyarrow read."""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import DEFAULT_LINES, OUT, ensure_export  # noqa: E402  (one cached export)

GOALS = {"rfm": 0.5, "clusters": 3.0}  # ratio to the raw read of the same file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = ensure_export(args.lines)

    import pyarrow.csv

    from core.importing import import_files
    from core.segments import segment

    book = import_files([path])  # not timed: this benchmark is about segmenting
    imported = dict(book.derived)  # what the import itself hands the book (where each line's order is)
    segment(book, "clusters")  # warm-up: scikit-learn's first import is not the segmentation's cost
    times: dict[str, list[float]] = {"raw": [], "rfm": [], "clusters": []}
    customers = 0
    for _ in range(args.runs):  # phases alternate so a busy moment hits all alike
        started = time.perf_counter()
        pyarrow.csv.read_csv(path)
        times["raw"].append(time.perf_counter() - started)
        for phase, map_id in (("rfm", "rfm11"), ("clusters", "clusters")):
            # A book builds a segmentation once and keeps it (OrderBook.memo_recent): each run
            # starts from the book as imported, or it would time a lookup.
            book.derived.clear()
            book.derived.update(imported)
            started = time.perf_counter()
            customers = len(segment(book, map_id).customers)
            times[phase].append(time.perf_counter() - started)
    medians = {phase: statistics.median(t) for phase, t in times.items()}
    ratios = {phase: medians[phase] / medians["raw"] for phase in GOALS}
    for phase, values in times.items():
        print(f"{phase:8s} runs: {', '.join(f'{t:.3f}' for t in values)}  median {medians[phase]:.3f} s")
    for phase, ratio in ratios.items():
        print(f"ratio {phase}/raw: {ratio:.2f} (goal <= {GOALS[phase]:g}: "
              f"{'met' if ratio <= GOALS[phase] else 'NOT met'})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(book.orders)} orders, {customers} customers; peak RSS of this process {peak:.0f} MB "
          "(import included)")
    result = {"file": str(path.relative_to(ROOT)), "orders": len(book.orders), "customers": customers,
              "runs_s": {k: [round(t, 4) for t in v] for k, v in times.items()},
              "median_s": {k: round(v, 4) for k, v in medians.items()},
              "ratio": {k: round(v, 3) for k, v in ratios.items()}, "goal_ratio": GOALS,
              "peak_rss_mb": round(peak, 1)}
    name = "segments.json" if args.lines == DEFAULT_LINES else f"segments_{args.lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
