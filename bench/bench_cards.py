"""Time to filled cards: from process start to the Overview's Top segment and Target market cards
filled (import, then the segmentation and plan that follow it), on the demo exports and on the
seeded large Shopify export of bench_import (generated once, cached under bench/out/).

Each run spawns `main.py --smoke --until-cards FILE…` offscreen with a fresh config folder and
reads its stdout: "first window", then "cards filled" (both timed in the child from its first
line of main.py) and, timed from outside, spawn → the "cards filled" line (interpreter start-up
and imports included). The median of --runs is printed and written to bench/out/cards.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DEMO = sorted(str(p) for p in (ROOT / "resources" / "demo").glob("*.csv"))


def time_to_cards(files: list[str], timeout: float) -> dict:
    """One run: seconds from spawn to "cards filled", and the child's own figures."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "SEGMENTDESK_CONFIG_DIR": tempfile.mkdtemp(prefix="segmentdesk-bench-")}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "main.py", "--smoke", "--until-cards", *files], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True)
    seen: dict[str, float] = {}
    try:
        for line in child.stdout:
            name, _, value = line.partition(":")
            if name in ("first window", "cards filled"):
                seen[name] = float(value.strip().split()[0])
                if name == "cards filled":
                    seen["spawn_to_cards"] = time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                child.kill()
                break
    finally:
        code = child.wait()
    if code != 0 or "cards filled" not in seen:
        raise RuntimeError(f"smoke run on {len(files)} file(s) exited {code} without filled cards")
    return {"spawn_to_cards_s": round(seen["spawn_to_cards"], 3), "cards_s": seen["cards filled"],
            "first_window_s": seen.get("first window")}


def measure(name: str, files: list[str], runs: int, timeout: float) -> dict:
    results = []
    for run in range(runs):
        result = time_to_cards(files, timeout)
        print(f"  {name} run {run + 1}: cards filled {result['spawn_to_cards_s']:.2f} s after spawn "
              f"(first window {result['first_window_s']:.2f} s)", flush=True)
        results.append(result)
    spawn = [r["spawn_to_cards_s"] for r in results]
    return {"files": [str(Path(f).relative_to(ROOT)) for f in files],
            "bytes": sum(Path(f).stat().st_size for f in files), "runs": runs,
            "median_spawn_to_cards_s": round(statistics.median(spawn), 3),
            "median_first_window_s": round(statistics.median(r["first_window_s"] for r in results), 3),
            "all_spawn_to_cards_s": spawn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per data set (median reported)")
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="line items of the large export (bench_import's generator); 0 skips it")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a run is given up")
    args = parser.parse_args()
    from bench.bench_import import count_lines, ensure_export

    data_sets = {"demo": DEMO}
    if args.lines:
        big = ensure_export(args.lines)
        count_lines(big)  # warms the page cache, as a second opening would find it
        data_sets[f"shopify_{args.lines}"] = [str(big)]
    time_to_cards(DEMO, args.timeout)  # warm-up: the file cache, Python's bytecode cache
    result = {"what": "spawn → Overview cards filled (import + segmentation + plan), offscreen, median of runs",
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "data": {}}
    for name, files in data_sets.items():
        result["data"][name] = measure(name, files, args.runs, args.timeout)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cards.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name, data in result["data"].items():
        print(f"{name:>18}: {data['median_spawn_to_cards_s']:.2f} s to filled cards "
              f"(median of {data['runs']}, first window {data['median_first_window_s']:.2f} s)")
    print(f"wrote {OUT / 'cards.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
