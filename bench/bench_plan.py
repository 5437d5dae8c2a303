"""Full-analysis benchmark: `main.py plan` (import, RFM, clusters with automatic k, segment facts,
screening, pattern, strategies) on the 1M-line Shopify export against a raw pyarrow CSV read of it, each a whole process."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.bench_import import DEFAULT_LINES, OUT, alternate, count_lines, ensure_export  # noqa: E402

GOAL_RATIO = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="line items in the export")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per phase")
    parser.add_argument("--map", default="clusters",
                        help="the segmentation the plan uses (clusters: RFM, then clusters with k chosen by silhouette)")
    args = parser.parse_args()
    path = ensure_export(args.lines)
    lines = count_lines(path)  # also warms the page cache
    raw = [sys.executable, str(ROOT / "bench" / "bench_import.py"), "--child", "raw", str(path)]
    plan = [sys.executable, str(ROOT / "main.py"), "plan", str(path), "--map", args.map, "--json"]
    # The raw read on the allocator our process uses is the baseline (like for like); the raw
    # read as pyarrow does it by default is shown beside it (bench_import.py says why they differ).
    default = [*raw[:3], "raw_default_allocator", str(path)]
    runs = alternate({"raw": raw, "plan": plan, "raw_default_allocator": default}, args.runs)
    ratio = runs["plan"]["median_s"] / runs["raw"]["median_s"]
    print(f"median raw read process : {runs['raw']['median_s']:.2f} s, peak {runs['raw']['peak_mb']:.0f} MB")
    print(f"median plan process     : {runs['plan']['median_s']:.2f} s, peak {runs['plan']['peak_mb']:.0f} MB")
    print(f"(raw read with pyarrow's default allocator: {runs['raw_default_allocator']['median_s']:.2f} s; "
          f"plan / that: {runs['plan']['median_s'] / runs['raw_default_allocator']['median_s']:.2f})")
    print(f"full analysis ratio plan/raw: {ratio:.2f} (goal <= {GOAL_RATIO:g}: "
          f"{'met' if ratio <= GOAL_RATIO else 'NOT met'})")
    result = {"file": str(path.relative_to(ROOT)), "lines": lines, "map": args.map, "runs": args.runs,
              "what": "whole process (spawn to exit), alternating, median of runs; peak RSS per process",
              **runs, "ratio": round(ratio, 3), "goal_ratio": GOAL_RATIO, "goal_met": ratio <= GOAL_RATIO,
              "python": platform.python_version(), "cpus": os.cpu_count()}
    name = "plan.json" if args.lines == DEFAULT_LINES else f"plan_{args.lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
