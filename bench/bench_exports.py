"""Customer-list export benchmark: a seeded 1,000,000-customer list written as CSV and as XLSX.

Each format runs in its own process, so its peak RSS is its own (the list itself included; the
list alone is reported too). Times are the median of --runs writes.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
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
DEFAULT_CUSTOMERS = 1_000_000
SEED = 1
SEGMENTS = ("Champions", "Loyal customers", "Potential loyalists", "New customers", "Promising",
            "Need attention", "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost")
NAMES = ("Emma Smith", "Liam O'Brien", "Jean-Luc Picard", "陈华", "欧阳娜娜", "Zoë Müller",
         "=HYPERLINK(\"http://x\",\"click\")", "-2", "@SUM(A1)", "Noah Kim")


def customer_frame(customers: int, seed: int = SEED):
    """A list shaped like core.exports.customer_list's, with Chinese and formula-looking names."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(customers)).astype("str")
    segment = rng.integers(0, len(SEGMENTS), customers)
    phones = pd.Series(rng.integers(10**9, 10**10, customers)).astype("str")
    frame = pd.DataFrame({
        "customer_key": "c" + ids + "@example.com",
        "name": pd.Series(np.array(NAMES, dtype=object)[rng.integers(0, len(NAMES), customers)]).astype("str"),
        "email": ("c" + ids + "@example.com").where(rng.random(customers) < 0.9),
        "phone": ("+1" + phones).where(rng.random(customers) < 0.5),  # '+…': the neutralised path
        "platforms": pd.Series(np.where(rng.random(customers) < 0.95, "Shopify", "Shopify; Amazon")).astype("str"),
        "segment": pd.Series(np.array(SEGMENTS, dtype=object)[segment]).astype("str"),
        "r": rng.integers(1, 6, customers), "f": rng.integers(1, 6, customers),
        "m": rng.integers(1, 6, customers),
        "orders": rng.integers(1, 40, customers),
        "net_sales": rng.gamma(2.0, 80.0, customers).round(2),
        "currency": "USD",
        "last_order": pd.Timestamp("2026-10-31") - pd.to_timedelta(rng.integers(0, 900, customers), "D"),
        "persona": pd.Series([f"Persona {i}, the mid-priced regular" for i in range(len(SEGMENTS))],
                             dtype=object)[segment].to_numpy(),
        "strategy": pd.Series([f"Keep your {SEGMENTS[i]} buying: they bring in {i + 5} % of your net sales."
                               for i in range(len(SEGMENTS))], dtype=object)[segment].to_numpy(),
    })
    for column in ("persona", "strategy", "currency"):
        frame[column] = frame[column].astype("str")
    frame.attrs["lang"] = "en"
    return frame


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(fmt: str, customers: int, runs: int) -> dict:
    """Build the list, then write it `runs` times in `fmt`; timings and peak RSS of this process."""
    from core.exports import write_customer_list

    started = time.perf_counter()
    frame = customer_frame(customers)
    built_s = time.perf_counter() - started
    list_mb = peak_mb()
    times, size = [], 0
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        target = Path(folder) / f"customers.{fmt}"
        for _ in range(runs):
            started = time.perf_counter()
            saved = write_customer_list(frame, target, force=True)
            times.append(time.perf_counter() - started)
            size = target.stat().st_size
    return {"format": fmt, "customers": customers, "runs_s": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3), "file_mb": round(size / 2**20, 1),
            "sheets": list(saved.sheets), "build_s": round(built_s, 2),
            "peak_rss_after_building_mb": round(list_mb, 1), "peak_rss_mb": round(peak_mb(), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.worker:
        json.dump(worker(args.worker, args.customers, args.runs), sys.stdout)
        return
    results = {}
    for fmt in args.formats.split(","):
        child = subprocess.run([sys.executable, __file__, "--worker", fmt, "--customers",
                                str(args.customers), "--runs", str(args.runs)],
                               cwd=ROOT, check=True, capture_output=True, text=True)
        result = results[fmt] = json.loads(child.stdout)
        print(f"{fmt:5s} {result['customers']:,} customers, runs: "
              f"{', '.join(f'{t:.2f}' for t in result['runs_s'])}  median {result['median_s']:.2f} s "
              f"({result['customers'] / result['median_s']:,.0f} rows/s), {result['file_mb']} MB, "
              f"peak RSS {result['peak_rss_mb']:.0f} MB (list alone {result['peak_rss_after_building_mb']:.0f} MB)")
    name = "exports.json" if args.customers == DEFAULT_CUSTOMERS else f"exports_{args.customers}.json"
    (OUT / name).write_text(json.dumps({"python": platform.python_version(), "results": results},
                                       indent=2), "utf-8")


if __name__ == "__main__":
    main()
