"""Engine comparison for ten million lines (issue 18): our import (pyarrow, file by file, into
pandas) against DuckDB reading the same ten exports out of core, each taking the exports to the
per-customer figures segmentation starts from (paid orders, net sales, first and last order).
Each run is a whole process (peak RSS from wait4). DuckDB is not one of SegmentDesk's packages:
run this with `--duckdb-python` pointing at a Python that has it (`pip install duckdb==1.5.6`
in a venv of its own); see README, "Large books"."""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.bench_import import OUT, run_process  # noqa: E402
from bench.bench_scale import DEFAULT_PARTS, PART_LINES, ensure_parts  # noqa: E402

# Shopify's statuses that count as paid (resources/profiles/shopify_orders.toml, [status.map]).
PAID = ("paid", "partially_refunded", "partially_paid")

# Order-level fields stand on each order's first row only (the export's layout), so any value
# an order has is its first. The customer is the email, else the phone, else name and postcode
# (core.importing.identity); a paid order whose refunds reach its total is refunded (core.model).
DUCKDB_QUERY = r"""
WITH orders AS (
    SELECT "Name" AS order_id,
           any_value(lower(trim("Email"))) AS email,
           any_value(regexp_replace(coalesce("Phone", "Billing Phone", "Shipping Phone"), '\D', '', 'g')) AS phone,
           any_value(lower(coalesce("Billing Name", "Shipping Name"))) AS name,
           any_value(upper(replace(ltrim(coalesce("Billing Zip", "Shipping Zip"), ''''), ' ', ''))) AS postcode,
           any_value("Financial Status") AS status,
           any_value(strptime("Created at", '%Y-%m-%d %H:%M:%S %z')) AS placed_at,
           any_value(CAST("Total" AS DOUBLE)) AS total,
           coalesce(any_value(CAST("Refunded Amount" AS DOUBLE)), 0) AS refunded
    FROM read_csv($paths, all_varchar = true, header = true)
    GROUP BY "Name"
)
SELECT CASE WHEN email LIKE '%@%' THEN email
            WHEN length(phone) >= 7 THEN 'tel:' || phone
            ELSE 'name:' || name || '|' || postcode END AS customer,
       count(*) AS frequency, round(sum(total - refunded), 2) AS monetary,
       min(placed_at) AS first_order, max(placed_at) AS last_order
FROM orders
WHERE status IN {paid} AND NOT (total > 0 AND refunded >= total)
GROUP BY customer
""".format(paid=PAID)


def child_ours(paths: list[str]) -> dict:
    from core.importing import import_files
    from core.segments.features import customer_features, default_analysis_date

    book = import_files(paths)
    features = customer_features(book, default_analysis_date(book))
    return {"customers": len(features), "paid_orders": int(features["frequency"].sum()),
            "net_sales": round(float(features["monetary"].sum()), 2)}


def child_duckdb(paths: list[str], memory_limit: str) -> dict:
    import duckdb

    con = duckdb.connect(config={"threads": 2, "memory_limit": memory_limit,
                                 "temp_directory": str(OUT / "duckdb_spill")})
    features = con.execute(DUCKDB_QUERY, {"paths": paths}).fetchnumpy()  # columns, as ours are
    return {"customers": len(features["customer"]), "paid_orders": int(features["frequency"].sum()),
            "net_sales": round(float(features["monetary"].sum()), 2), "duckdb": duckdb.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", type=int, default=DEFAULT_PARTS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duckdb-python", default=sys.executable,
                        help="a Python with duckdb installed (default: this one)")
    parser.add_argument("--memory-limits", default="3GB,1GB", help="DuckDB memory limits to run with")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, out, *rest = args.child
        paths = [str(p) for p in ensure_parts(args.parts, PART_LINES)]
        result = child_ours(paths) if kind == "ours" else child_duckdb(paths, rest[0])
        Path(out).write_text(json.dumps(result))
        return
    probe = subprocess.run([args.duckdb_python, "-c", "import duckdb"], capture_output=True)
    if probe.returncode:
        print(f"duckdb is not importable by {args.duckdb_python}: pip install duckdb==1.5.6 in a venv "
              "of its own and pass its python with --duckdb-python")
        return
    paths = ensure_parts(args.parts, PART_LINES)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} files, {size / 1e9:.2f} GB, {len(paths) * PART_LINES:,} lines")
    commands = {"ours (pyarrow file by file, pandas)": [sys.executable, __file__, "--parts", str(args.parts),
                                                        "--child", "ours"]}
    for limit in args.memory_limits.split(","):
        commands[f"duckdb, memory_limit {limit}"] = [args.duckdb_python, __file__, "--parts", str(args.parts),
                                                     "--child", "duckdb", limit]
    results = {}
    for _ in range(args.runs):  # alternating, so a slow moment of the machine hits each alike
        for name, command in commands.items():
            out = OUT / "compare_engines_child.json"
            seconds, peak = run_process(_with_out(command, out))
            entry = results.setdefault(name, {"s": [], "peak_mb": 0.0})
            entry["s"].append(round(seconds, 1))
            entry["peak_mb"] = max(entry["peak_mb"], peak)
            entry["figures"] = json.loads(out.read_text())
            print(f"  {name}: {seconds:.1f} s, peak {peak:.0f} MB, {entry['figures']}", flush=True)
    for name, entry in results.items():
        entry["median_s"] = statistics.median(entry["s"])
        print(f"{name:40s} median {entry['median_s']:.1f} s, peak {entry['peak_mb']:.0f} MB")
    # A comparison is only worth something if both reached the same customers and figures.
    figures = {json.dumps({k: v for k, v in e["figures"].items() if k != "duckdb"}) for e in results.values()}
    same = "yes" if len(figures) == 1 else f"NO ({sorted(figures)})"
    print(f"same customers, paid orders and net sales from every engine: {same}")
    name = "compare_engines.json" if args.parts == DEFAULT_PARTS else f"compare_engines_{args.parts}.json"
    (OUT / name).write_text(json.dumps(
        {"files": len(paths), "gb": round(size / 1e9, 2), "machine": platform.machine(),
         "results": results}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / name}")


def _with_out(command: list[str], out: Path) -> list[str]:
    """The child command with the file its figures go to, after its kind."""
    at = command.index("--child") + 2
    return [*command[:at], str(out), *command[at:]]


if __name__ == "__main__":
    main()
