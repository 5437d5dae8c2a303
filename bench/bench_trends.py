"""Over-time benchmark: lifetime value (BG/NBD + Gamma-Gamma) and the demand forecast on the 1M-line Shopify export."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = ensure_export(args.lines)

    from core.clv import customer_lifetime, customer_purchases
    from core.segments.features import main_currency
    from core.targeting.lifetime import FIT_ON
    from core.trends import demand_forecast

    from core.importing import import_files

    book = import_files([path])  # not timed: this benchmark is about the models
    currency = main_currency(book)
    purchases = customer_purchases(book, currency)
    end = purchases["date"].max().date()
    demand_forecast(book, currency, 6)  # warm-up: statsmodels' first import is not the forecast's cost
    # clv: every customer, as `main.py clv`; clv_sampled: the plan's fit on FIT_ON customers.
    times: dict[str, list[float]] = {"clv": [], "clv_sampled": [], "forecast": []}
    figures = {}
    for _ in range(args.runs):  # phases alternate so a busy moment hits all alike
        started = time.perf_counter()
        full = customer_lifetime(purchases, end)
        times["clv"].append(time.perf_counter() - started)
        started = time.perf_counter()
        sampled = customer_lifetime(purchases, end, fit_on=FIT_ON)
        times["clv_sampled"].append(time.perf_counter() - started)
        started = time.perf_counter()
        forecasts = demand_forecast(book, currency, 6)
        times["forecast"].append(time.perf_counter() - started)
        figures = {"customers": len(full.customers), "trusted": full.trusted,
                   "bgnbd": {k: round(float(v), 4) for k, v in (full.bgnbd or {}).items()},
                   "bgnbd_sampled": {k: round(float(v), 4) for k, v in (sampled.bgnbd or {}).items()},
                   "expected_value": round(float(full.customers["expected_value"].sum()), 2),
                   "expected_value_sampled": round(float(sampled.customers["expected_value"].sum()), 2),
                   "series": len(forecasts), "methods": sorted({f.method for f in forecasts})}
    medians = {phase: statistics.median(t) for phase, t in times.items()}
    for phase, values in times.items():
        print(f"{phase:12s} runs: {', '.join(f'{t:.3f}' for t in values)}  median {medians[phase]:.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(book.orders)} orders, {figures['customers']} customers, {figures['series']} forecast series; "
          f"peak RSS of this process {peak:.0f} MB (import included)")
    result = {"file": str(path.relative_to(ROOT)), "orders": len(book.orders), **figures, "fit_on": FIT_ON,
              "runs_s": {k: [round(t, 4) for t in v] for k, v in times.items()},
              "median_s": {k: round(v, 4) for k, v in medians.items()}, "peak_rss_mb": round(peak, 1)}
    name = "trends.json" if args.lines == DEFAULT_LINES else f"trends_{args.lines}.json"
    (OUT / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
