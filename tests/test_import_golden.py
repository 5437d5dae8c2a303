"""Golden-file tests: every fixture case under tests/data/exports/ imports to its checked-in output.

A case is a folder holding one or more export files, `case.toml` with the facts computed by hand
from the fixture (the independent check), and `expected/` with the full canonical output
(`orders.csv`, `lines.csv`, `summary.json`), rewritten by `pytest --regen-golden`.
"""
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.importing import import_files
from core.importing.profiles import all_profiles
from core.summary import import_summary
from tests.conftest import DATA

CASES = sorted(p for p in (DATA / "exports").iterdir() if (p / "case.toml").exists())


def case_files(case: Path) -> list[Path]:
    skip = {"case.toml", "README.md"}
    return sorted(p for p in case.iterdir() if p.is_file() and p.name not in skip)


def canonical_csv(frame: pd.DataFrame) -> str:
    frame = frame.copy()
    if "placed_at" in frame:
        frame["placed_at"] = frame["placed_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.4f")


def portable_summary(book) -> dict:
    summary = import_summary(book, lang="en")
    for f in summary["files"]:
        f["path"] = Path(f["path"]).name
    for p in summary["problems"]:
        p["file"] = Path(p["file"]).name
    return summary


@pytest.fixture(scope="module")
def imported():
    return {case.name: import_files(case_files(case)) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_matches_hand_computed_facts(case, imported):
    spec = tomllib.loads((case / "case.toml").read_text("utf-8"))
    book = imported[case.name]
    summary = import_summary(book)
    expect = spec["expect"]
    assert [f.profile for f in book.files] == expect["profiles"]
    for key in ("orders", "customers", "unidentified_orders", "first_order", "last_order"):
        if key in expect:
            assert summary[key] == expect[key], key
    if "orders_by_status" in expect:
        assert summary["orders_by_status"] == {**dict.fromkeys(summary["orders_by_status"], 0),
                                               **expect["orders_by_status"]}
    for key in ("net_sales", "refunds"):
        if key in expect:
            assert summary[key] == pytest.approx(expect[key]), key
    if "lines" in expect:
        assert len(book.lines) == expect["lines"]
    assert len(summary["problems"]) == expect.get("problems", 0), summary["problems"]
    for order_id, fields in spec.get("orders", {}).items():
        row = book.orders[book.orders["order_id"] == order_id]
        assert len(row) == 1, order_id
        for name, value in fields.items():
            got = row.iloc[0][name]
            if name == "placed_at":
                got = got.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert got == (pytest.approx(value) if isinstance(value, float) else value), (order_id, name)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_matches_golden_output(case, imported, request):
    book = imported[case.name]
    outputs = {"orders.csv": canonical_csv(book.orders), "lines.csv": canonical_csv(book.lines),
               "summary.json": json.dumps(portable_summary(book), ensure_ascii=False, indent=1) + "\n"}
    expected = case / "expected"
    if request.config.getoption("--regen-golden"):
        expected.mkdir(exist_ok=True)
        for name, text in outputs.items():
            (expected / name).write_text(text, "utf-8")
    for name, text in outputs.items():
        assert (expected / name).exists(), f"{case.name}: no golden {name}; run pytest --regen-golden"
        assert text == (expected / name).read_text("utf-8"), f"{case.name}/{name} differs from golden"


def test_every_profile_has_a_fixture(imported):
    covered = {f.profile for book in imported.values() for f in book.files}
    missing = sorted(p.id for p in all_profiles() if p.id not in covered)
    assert not missing, f"profiles without a fixture case in tests/data/exports/: {missing}"


def test_large_files_on_all_cores_import_as_small_ones(monkeypatch, imported):
    """A large file's columns are worked on by threads (engine.each_column) and its rows grouped
    into orders in another (jobs.alongside); every case, made to take that path, gives the same
    orders, lines and problems as in this thread."""
    from core import jobs
    from core.importing import engine

    monkeypatch.setattr(engine, "PARALLEL_FROM_ROWS", 0)
    monkeypatch.setattr(jobs, "PARALLEL_FROM_ROWS", 0)
    for case in CASES:
        threaded, serial = import_files(case_files(case)), imported[case.name]
        assert threaded.orders.equals(serial.orders), case.name
        assert threaded.lines.equals(serial.lines), case.name
        assert threaded.problems == serial.problems, case.name


def test_column_work_on_all_cores_begins_with_the_costliest_and_answers_in_order(monkeypatch):
    import threading

    from core.importing import engine

    begun, lock = [], threading.Lock()

    def work(column):
        with lock:
            begun.append(column)
        return column * 10

    columns, cost = [3, 1, 4, 1.5, 9, 2.6], {3: 5, 1: 1, 4: 2, 1.5: 0, 9: 8, 2.6: 3}.get
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 1)  # one worker: begun in the pool's order
    assert engine.each_column(work, columns, engine.PARALLEL_FROM_ROWS, cost=cost) == [c * 10 for c in columns]
    assert begun == [9, 3, 2.6, 4, 1, 1.5]
    begun.clear()
    assert engine.each_column(work, columns, engine.PARALLEL_FROM_ROWS) == [c * 10 for c in columns]
    assert begun == columns
    assert not [t for t in threading.enumerate() if t.name.startswith("ThreadPoolExecutor")]


def test_where_each_lines_order_is_known_at_import_as_the_keys_would_find_it(imported):
    # One file's rows were grouped into its orders, so the import hands the book each line's order
    # (model.know_line_orders) instead of joining on platform and order id again.
    from core.model import _line_orders, line_orders

    seeded = 0
    for case in CASES:
        book = imported[case.name]
        seeded += "line_orders" in book.derived
        assert np.array_equal(line_orders(book), _line_orders(book)), case.name
    assert seeded >= len(CASES) // 2, (seeded, len(CASES))  # most cases are one file of orders


def test_customer_keys_of_orders_held_as_text_are_those_of_orders_held_as_categories(imported):
    # Keys are worked out once per distinct value of a category column and encoded once per key
    # (identity._as_categories); orders held as plain text must get the very same keys.
    from core.importing.identity import IDENTITY_COLUMNS, customer_keys

    for case in CASES:
        orders = imported[case.name].orders
        coded = [c for c in IDENTITY_COLUMNS if isinstance(orders[c].dtype, pd.CategoricalDtype)]
        text = orders.astype({c: "str" for c in coded})
        keys = customer_keys(text)
        assert keys.astype("str").equals(orders["customer_key"].astype("str")), case.name
        assert list(keys.cat.categories) == sorted(set(keys.astype("str"))), case.name
