"""Where an import's time goes: wall and CPU seconds per stage of core.importing for one import of
the 1M-line Shopify export (stages are wrapped functions; a nested stage counts in its caller too)."""
from __future__ import annotations

import argparse
import collections
import functools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.bench_import import DEFAULT_LINES, OUT, ensure_export  # noqa: E402

# stage name → (module, function); the nested ones also count in the stage that calls them.
STAGES = {
    "read": ("core.importing.engine", "read_columns"),
    "clean every column": ("core.importing.engine", "Cells.clean_all"),
    "money cells (nested)": ("core.importing.engine", "Cells.money"),
    "date cells (nested)": ("core.importing.engine", "Cells.dates"),
    "text cells (nested)": ("core.importing.engine", "Cells.text"),
    "group rows into orders": ("core.importing.engine", "Groups.__init__"),
    "first value per order": ("core.importing.engine", "Groups.first_valid"),
    "line table": ("core.importing.engine", "_lines"),
    "line sums": ("core.importing.engine", "_line_sums"),
    "finish orders": ("core.importing.engine", "_finish_orders"),
    "statuses": ("core.importing.engine", "_statuses"),
    "canonical frames": ("core.importing.engine", "_conform"),
    "customer keys": ("core.importing.identity", "customer_keys"),
}


def wrap(stage: str, module_name: str, attribute: str, wall: dict, cpu: dict) -> None:
    import importlib

    owner = importlib.import_module(module_name)
    for part in attribute.split(".")[:-1]:
        owner = getattr(owner, part)
    name = attribute.split(".")[-1]
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started, used = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            wall[stage] += time.perf_counter() - started
            cpu[stage] += time.process_time() - used

    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES)
    args = parser.parse_args()
    path = ensure_export(args.lines)
    wall, cpu = collections.Counter(), collections.Counter()
    for stage, (module_name, attribute) in STAGES.items():
        wrap(stage, module_name, attribute, wall, cpu)
    from core.importing import import_files

    started, used = time.perf_counter(), time.process_time()
    book = import_files([path])
    total_wall, total_cpu = time.perf_counter() - started, time.process_time() - used
    print(f"import_files: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU, {len(book.lines):,} lines, "
          f"{len(book.orders):,} orders")
    rows = [{"stage": s, "wall_s": round(wall[s], 3), "cpu_s": round(cpu[s], 3)} for s, _ in wall.most_common()]
    for row in rows:
        print(f"  {row['stage']:<24} {row['wall_s']:6.2f} s wall  {row['cpu_s']:6.2f} s CPU")
    name = "import_stages.json" if args.lines == DEFAULT_LINES else f"import_stages_{args.lines}.json"
    (OUT / name).write_text(json.dumps({"lines": args.lines, "wall_s": round(total_wall, 3),
                                        "cpu_s": round(total_cpu, 3), "stages": rows}, indent=2) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    main()
