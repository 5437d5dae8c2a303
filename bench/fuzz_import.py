"""Long fuzz run of the importer: N seeded damaged copies of every fixture, counted by outcome.

    python bench/fuzz_import.py [--cases 100000] [--workers 2] [--start 0] [--fresh]

Each case is one fixture damaged one way (tests/fuzzing.py), imported in a worker process with a
time limit. Prints the cases run, how many imported, how many were refused with a message, and the
failures: uncaught exceptions, hangs, and messages that are not ours (none is the goal); writes
the summary to bench/out/fuzz_import.json.

Each finished chunk of 500 cases is appended to bench/out/fuzz_ledger.jsonl, so a long run that is
stopped goes on where it was when started again (chunks already in the ledger are skipped) and the
summary counts every distinct case run; --fresh starts a new ledger.
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
LEDGER = OUT / "fuzz_ledger.jsonl"
SECONDS_PER_CASE = 60
CHUNK = 500
COUNTS = ("cases", "imported", "refused", "uncaught", "hang", "foreign_message")


def _alarm(signum, frame):
    raise TimeoutError


def run_chunk(args) -> tuple[Counter, list[str]]:
    """Cases start…stop (seed = case // fixtures, fixture = case % fixtures) in this process;
    returns the chunk's counts and failures."""
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


def read_ledger() -> dict[tuple[int, int], dict]:
    """Finished chunks by (start, stop), from earlier runs."""
    done = {}
    if LEDGER.exists():
        for line in LEDGER.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                done[(entry["start"], entry["stop"])] = entry
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--fresh", action="store_true", help="forget the chunks of earlier runs")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        LEDGER.unlink(missing_ok=True)
    done = read_ledger()
    wanted = [(s, min(s + CHUNK, args.start + args.cases))
              for s in range(args.start, args.start + args.cases, CHUNK)]
    chunks = [c for c in wanted if c not in done]
    print(f"{len(wanted) - len(chunks)} of {len(wanted)} chunks already in {LEDGER.name}", flush=True)
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for (begin, end), (counts, found) in zip(chunks, pool.imap(run_chunk, chunks)):
            entry = {"start": begin, "stop": end, **{k: counts[k] for k in COUNTS},
                     "failures": found}
            with LEDGER.open("a") as ledger:
                ledger.write(json.dumps(entry, ensure_ascii=False) + "\n")
            done[(begin, end)] = entry
            for failure in found:
                print("FAIL", failure, flush=True)
            print(f"cases {begin:,}-{end - 1:,} done, {time.perf_counter() - started:,.0f} s",
                  flush=True)
    covered = [done[c] for c in wanted if c in done]
    totals = Counter()
    for entry in covered:
        totals.update({k: entry[k] for k in COUNTS})
    failures = [f for entry in covered for f in entry["failures"]]
    run = totals["cases"] + totals["uncaught"] + totals["hang"]
    summary = {"cases_run": run, "range": [args.start, args.start + args.cases],
               "seconds_this_run": round(time.perf_counter() - started),
               **{k: totals[k] for k in COUNTS[1:]}, "failures": failures[:200]}
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}), flush=True)
    (OUT / "fuzz_import.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
