"""Fuzz: every real export fixture, damaged in seeded ways, imports or is refused in our own words.

Each case flips bytes, deletes, duplicates or shuffles lines, swaps columns, truncates the file or
puts hostile values in cells (tests/fuzzing.py). No case may raise, hang, or show a seller a
message that is not in both catalogs or that carries a library's wording. bench/fuzz_import.py
runs the same cases by the hundred thousand.
"""
import signal

import pytest

from core.importing import import_files
from tests.fuzzing import check_book, fixtures, make_case, seeds_per_kind

SEEDS_PER_KIND = 2  # each mutation twice on each fixture: 480 cases; the long run is in bench/
SECONDS_PER_CASE = 30  # a hang shows as a failure, not as a stuck suite


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


# Cases the long run (bench/fuzz_import.py) found, fixed since: (fixture, seed).
FOUND = {"generic_transactions_minimal": [17],  # a year typed 99: out-of-bounds timestamp
         "shopify_orders_with_products": [119, 17]}  # product list without (usable) categories


@pytest.mark.parametrize("case_dir", fixtures(), ids=lambda p: p.name)
def test_damaged_exports_import_or_are_refused_in_our_words(case_dir, tmp_path):
    old = signal.signal(signal.SIGALRM, _alarm)
    failures = []
    try:
        for seed in [*seeds_per_kind(case_dir, SEEDS_PER_KIND), *FOUND.get(case_dir.name, [])]:
            case, paths = make_case(case_dir, seed, tmp_path / "case")
            signal.alarm(SECONDS_PER_CASE)
            try:
                book = import_files(paths)
            except Hang:
                failures.append(f"{case}: still running after {SECONDS_PER_CASE} s")
                continue
            except Exception as error:  # noqa: BLE001 - any escape is the finding
                failures.append(f"{case}: {type(error).__name__}: {error}")
                continue
            finally:
                signal.alarm(0)
            failures.extend(f"{case}: {wrong}" for wrong in check_book(book))
    finally:
        signal.signal(signal.SIGALRM, old)
    assert not failures, "\n".join(failures[:20])
