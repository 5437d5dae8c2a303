"""Long fuzz run of the importer: N seeded damaged copies of every fixture, counted by outcome.

    python bench/fuzz_import.py [--cases 100000] [--workers 2] [--start 0]

Each case is one fixture damaged one way (tests/fuzzing.py), imported in a worker process with a
time limit. Prints the cases run, how many imported, how many were refused with a message, and the
failures: uncaught exceptions, hangs, and messages that are not ours (none is the goal); writes
the summary to bench/out/fuzz_import.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SECONDS_PER_CASE = 60


def _alarm(signum, frame):
    raise TimeoutError


def run_chunk(args) -> tuple[Counter, list[str]]:
    """Cases start…stop (seed = case // fixtures, fixture = case % fixtures) in this process."""
    start, stop = args
    from core.importing import import_files
    from tests.fuzzing import check_book, fixtures, make_case

    cases = fixtures()
    counts: Counter = Counter()
    failures = []
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory(prefix="segmentdesk-fuzz-") as folder:
        for number in range(start, stop):
            case, paths = make_case(cases[number % len(cases)], number // len(cases),
                                    Path(folder) / "case")
            signal.alarm(SECONDS_PER_CASE)
            try:
                book = import_files(paths)
            except TimeoutError:
                counts["hang"] += 1
                failures.append(f"{case}: still running after {SECONDS_PER_CASE} s")
                continue
            except Exception as error:  # noqa: BLE001 - any escape is a finding
                counts["uncaught"] += 1
                failures.append(f"{case}: {type(error).__name__}: {str(error)[:200]}")
                continue
            finally:
                signal.alarm(0)
            wrong = check_book(book)
            counts["foreign_message"] += bool(wrong)
            failures.extend(f"{case}: {w}" for w in wrong)
            counts["imported" if book.files else "refused"] += 1
            counts["cases"] += 1
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--start", type=int, default=0, help="first case number (to go on later)")
    args = parser.parse_args()
    chunk = 500
    chunks = [(s, min(s + chunk, args.start + args.cases))
              for s in range(args.start, args.start + args.cases, chunk)]
    totals: Counter = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for counts, found in pool.imap_unordered(run_chunk, chunks):
            totals.update(counts)
            failures.extend(found)
            for failure in found:
                print("FAIL", failure, flush=True)
            done = totals["cases"] + totals["uncaught"] + totals["hang"]
            print(f"{done:,} cases, {time.perf_counter() - started:,.0f} s: imported "
                  f"{totals['imported']:,}, refused {totals['refused']:,}, uncaught "
                  f"{totals['uncaught']}, hangs {totals['hang']}, foreign messages "
                  f"{totals['foreign_message']}", flush=True)
    summary = {"cases": args.cases, "start": args.start, "seconds": round(time.perf_counter() - started),
               **{k: totals[k] for k in ("imported", "refused", "uncaught", "hang", "foreign_message")},
               "failures": failures[:200]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fuzz_import.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
